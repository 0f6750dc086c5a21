import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic-api.ts';
import { apiClient } from '../helpers/api.ts';
import { CLAUDE_BIN, claudeEnv, prepareClaudeHome } from '../helpers/claude-code.ts';
import { createInstance, processesMentioning, type TestInstance } from '../helpers/instance.ts';
import { eventually } from '../helpers/tmux.ts';
import { checkStatusFollowsEvents, eventAt, eventsSince } from './status-events.ts';

// The real Claude Code with its screen rules off for the status (`statusFromScreen: false`):
// every status read here came from its own hook events. Its own instance (the setting is the
// instance's), whose supervisor is the demo agent (no `claude` on PATH), and one Claude worker.
describe('real Claude Code, status from its hook events alone', { timeout: 300_000 }, () => {
  let fake: FakeAnthropic;
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  const statusOf = async () => (await api.call<Array<{ id: string; status: string }>>('GET', '/api/agents')).body.find((a) => a.id === 'w1')?.status;
  const turnOf = (text: string) => fake.turns().find((t) => t.prompt.startsWith(text));
  const send = async (text: string) => assert.equal((await api.call('POST', '/api/agents/w1/message', { text })).status, 202);

  before(async () => {
    fake = await startFakeAnthropic();
    cmux = await createInstance({ userConfig: 'agents:\n  readyTimeoutSeconds: 120\nagentKinds:\n  claude-code:\n    statusFromScreen: false\n' });
    api = apiClient(cmux);
    const work = join(cmux.base, 'work');
    mkdirSync(work);
    const home = prepareClaudeHome(join(cmux.base, 'claude-home'), { returning: true, trusted: [work] });
    // Agents inherit the environment of the tmux server, which `cmux start` creates; the spawn
    // checks IS_SANDBOX in its own.
    const env = claudeEnv(fake.url, home);
    const start = await cmux.cli(['start'], { env, timeoutMs: 120_000 });
    assert.equal(start.exitCode, 0, `${start.stdout}\n${start.stderr}`);
    const spawned = await cmux.cli(['spawn', 'w1', '--command', `${CLAUDE_BIN} --dangerously-skip-permissions`, '--cwd', work], { env, timeoutMs: 180_000 });
    assert.equal(spawned.exitCode, 0, `${spawned.stdout}\n${spawned.stderr}`);
    // Idle from its SessionStart event.
    await eventually(statusOf, (s) => s === 'idle', 30_000);
  });

  after(async () => {
    await cmux?.cleanup();
    await fake?.close();
    assert.deepEqual(processesMentioning(cmux.base), [], 'nothing of the instance is left running');
  });

  it('reads busy while the API delays the answer and idle within 2 s of its end, each within 500 ms of UserPromptSubmit and Stop', () =>
    checkStatusFollowsEvents({
      api,
      agent: 'w1',
      turnEvents: { start: 'UserPromptSubmit', end: 'Stop' },
      send,
      answerEnded: (marker) => fake.turns().find((t) => t.prompt.includes(marker))?.request.finishedAt ?? undefined,
      prompts: () => fake.prompts(),
    }));

  // Claude Code 2.1.332 runs no hook for a turn stopped by Escape, before any output or
  // mid-stream: cmux's own interrupt, once it saw the turn stop, ends it.
  it('an interrupt before any output and one mid-stream: no event from Claude Code, idle from cmux\'s interrupt; the next message alone, its turn busy and idle from its events', async () => {
    const cases = [
      { text: 'stopped before any output DELAY 60000', started: async () => true },
      { text: 'stopped mid-stream SLOW 30000', started: async () => (turnOf('stopped mid-stream')?.request.sentParts ?? 0) >= 2 },
    ];
    for (const { text, started } of cases) {
      const asked = Date.now();
      await send(text);
      await eventually(async () => fake.prompts().at(-1), (p) => p === text, 30_000);
      await eventually(statusOf, (s) => s === 'busy', 10_000);
      await eventually(started, Boolean, 30_000);
      assert.equal((await api.call('POST', '/api/agents/w1/interrupt')).status, 202);
      const interrupted = Date.now();
      await eventually(statusOf, (s) => s === 'idle', 10_000);
      const took = Date.now() - interrupted;
      assert.ok(took < 2_000 + 1_000, `${text}: idle ${took} ms after the interrupt`);
      await eventually(async () => turnOf(text)?.request.aborted, Boolean, 10_000);
      assert.deepEqual((await eventsSince(api, 'w1', asked)).map((e) => e.event), ['UserPromptSubmit'], `${text}: the turn ended with no event of its own`);
    }
    // The interrupt's mark ends only the turn it stopped: the next one reads busy from its event.
    const after = Date.now();
    await send('after the interrupts DELAY 3000');
    await eventually(statusOf, (s) => s === 'busy', 10_000);
    assert.ok(await eventAt(api, 'w1', 'UserPromptSubmit', after));
    // Alone: nothing of the stopped prompts came back with it.
    await eventually(async () => fake.prompts().at(-1), (p) => p === 'after the interrupts DELAY 3000', 10_000);
    assert.ok(await eventually(() => eventAt(api, 'w1', 'Stop', after), Boolean, 30_000));
    await eventually(statusOf, (s) => s === 'idle', 10_000);
  });
});
