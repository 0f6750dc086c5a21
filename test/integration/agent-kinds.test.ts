import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiClient } from '../helpers/api.ts';
import { createInstance, type TestInstance } from '../helpers/instance.ts';
import { eventually } from '../helpers/tmux.ts';

interface Agent {
  id: string;
  kind: string;
  status: string;
}

// A kind of the user's own, from `agentKinds:` in the CMUX_CONFIG file, drives a real agent
// window: cmux picks it by its command pattern and reads the window's status by its rules.
describe('agent kinds from the configuration, in the running ecosystem', { timeout: 240_000 }, () => {
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  const command = "printf 'shell-kind ready\\n'; exec cat";

  before(async () => {
    cmux = await createInstance({
      userConfig: ['agentKinds:', '  shell-kind:', "    command: 'shell-kind ready'", "    status: { idle: ['^shell-kind ready$'] }", ''].join('\n'),
    });
    api = apiClient(cmux);
    const start = await cmux.cli(['start'], { timeoutMs: 120_000 });
    assert.equal(start.exitCode, 0, String(start.stderr));
  });
  after(async () => cmux?.cleanup());

  it('spawns an agent of a kind of the user\'s own and reads its status by that kind\'s rules', async () => {
    const spawned = await cmux.cli(['spawn', 'typist', '--command', command], { timeoutMs: 120_000 });
    assert.equal(spawned.exitCode, 0, `${spawned.stdout}\n${spawned.stderr}`);
    const agent = await eventually(
      async () => (await api.call<Agent[]>('GET', '/api/agents')).body.find((a) => a.id === 'typist'),
      (a) => a?.status === 'idle',
      15_000,
    );
    assert.equal(agent?.kind, 'shell-kind');
    // Its program has no hooks: an event for it is taken and says nothing about its status.
    assert.equal((await api.call('POST', '/api/agent-events', { agent: 'typist', kind: 'shell-kind', event: 'Stop' })).status, 202);
  });

  it('refuses a bad agentKinds entry, naming the key and the file', async () => {
    const bad = join(cmux.base, 'bad.yaml');
    writeFileSync(bad, "agentKinds:\n  codex:\n    status: { busy: ['(unclosed'] }\n");
    const doctor = await cmux.cli(['doctor'], { env: { CMUX_CONFIG: bad } });
    assert.notEqual(doctor.exitCode, 0);
    assert.match(String(doctor.stderr), /agentKinds\.codex\.status\.busy\.0 in .*bad\.yaml: not a valid regular expression/);
  });
});
