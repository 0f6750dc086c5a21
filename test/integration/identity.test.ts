import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml, stringify } from 'yaml';
import { createAgent, findAgent, findLiveAgent, interruptAgent, killAgent, relaunchAgent } from '../../apps/agents/index.ts';
import { bringUpTeam } from '../../apps/agents/team.ts';
import { listAgentWindows, registerExistingWindow } from '../../apps/registry/index.ts';
import { agentHarness } from '../helpers/agents.ts';
import { eventually, tmuxCommand } from '../helpers/tmux.ts';

// tmux hands out window ids (@0, @1…) afresh on every new server: an entry left from before a
// restart must never bind to whatever window now has its id.
describe('agent identity across tmux servers', { timeout: 120_000 }, () => {
  const harness = agentHarness();
  const { deps } = harness;
  const session = deps.config.tmux.session;
  let staleId: string;

  before(async () => {
    const agent = await createAgent(deps, { name: 'w4', command: 'cat', cwd: harness.base, createdBy: 'user' });
    staleId = agent.windowId;
    // The server goes away behind cmux's back; a new one gives a stranger's window the same id.
    await deps.tmux.killServer();
    await eventually(() => deps.tmux.hasServer(), (up) => !up, 10_000);
    const reused = await deps.tmux.newSession({ session, name: 'a6', command: ['cat'] });
    assert.equal(reused, staleId, 'the new server reused the window id');
  });
  after(() => harness.cleanup());

  // Kills the mutation that drops the server half of the registry's ownership check (#26).
  it('never binds an entry made on another server, even to a window there that carries its tag', async () => {
    // A window on the new server with the old one's id and the agent's tag (a restored session,
    // a tag set by hand): the tag alone does not make it the agent.
    await tmuxCommand(deps.config.tmux.socket, ['set-option', '-w', '-t', staleId, '@cmux-agent', 'w4']);
    try {
      const w4 = (await listAgentWindows(deps)).agents.find((a) => a.agent.id === 'w4');
      assert.equal(w4?.window, null, 'listed without a window');
      await assert.rejects(findLiveAgent(deps, 'w4'), { code: 'CMUX_ERR_AGENT_NOT_FOUND' });
      await assert.rejects(interruptAgent(deps, 'w4'), { code: 'CMUX_ERR_AGENT_NOT_FOUND' });
    } finally {
      await tmuxCommand(deps.config.tmux.socket, ['set-option', '-w', '-u', '-t', staleId, '@cmux-agent']);
    }
  });

  // Kills the mutation that drops the tag half of the registry's ownership check (#26).
  it('never binds a hand-edited entry to another agent\'s window on the same server', async () => {
    const x1 = await createAgent(deps, { name: 'x1', command: 'cat', cwd: harness.base, createdBy: 'user' });
    const x2 = await createAgent(deps, { name: 'x2', command: 'cat', cwd: harness.base, createdBy: 'user' });
    const file = join(harness.home, 'agents.yaml');
    const registry = parseYaml(readFileSync(file, 'utf8')) as { agents: Record<string, { windowId: string }> };
    registry.agents.x1!.windowId = x2.windowId;
    writeFileSync(file, stringify(registry));
    const { agents } = await listAgentWindows(deps);
    assert.equal(agents.find((a) => a.agent.id === 'x1')?.window, null, 'x1 has no window: the one its entry names is x2\'s');
    assert.equal(agents.find((a) => a.agent.id === 'x2')?.window?.windowId, x2.windowId);
    await assert.rejects(findLiveAgent(deps, 'x1'), { code: 'CMUX_ERR_AGENT_NOT_FOUND' });
    await killAgent(deps, 'x1');
    const windows = await deps.tmux.listWindows();
    assert.ok(windows.some((w) => w.windowId === x2.windowId), 'x2\'s window lives on');
    assert.ok(windows.some((w) => w.windowId === x1.windowId), 'x1\'s own window was not the one the entry named, so it is left too');
    await deps.tmux.killWindow(x1.windowId);
    await killAgent(deps, 'x2');
  });

  // The lifecycle suite once saw `kill supervisor --force` leave the supervisor unregistered
  // and never back: the team keeper relaunched it between the window's kill and the
  // unregistration, and the orphan window held the name.
  it('kills the window an agent was brought back in while its kill was under way: no window, no entry, the name free', async () => {
    await createAgent(deps, { name: 'k1', command: 'cat', cwd: harness.base, createdBy: 'user' });
    let relaunched: string | undefined;
    const keeperMeanwhile = {
      ...deps,
      tmux: {
        ...deps.tmux,
        async killWindow(windowId: string) {
          await deps.tmux.killWindow(windowId);
          if (!relaunched) relaunched = (await relaunchAgent(deps, { ...(await findAgent(deps, 'k1')), window: null })).windowId;
        },
      },
    };
    await killAgent(keeperMeanwhile, 'k1', { force: true });
    assert.ok(relaunched, 'the agent was brought back during its kill');
    assert.equal((await deps.tmux.listWindows()).filter((w) => w.windowId === relaunched || w.name === 'k1').length, 0, 'no window of k1 is left');
    assert.equal((await listAgentWindows(deps)).agents.some((a) => a.agent.id === 'k1'), false, 'no entry');
    await killAgent(deps, (await createAgent(deps, { name: 'k1', command: 'cat', cwd: harness.base, createdBy: 'user' })).id);
  });

  it('lists the stale entry as missing, not as the new window', async () => {
    const { agents } = await listAgentWindows(deps);
    const w4 = agents.find((a) => a.agent.id === 'w4');
    assert.equal(w4?.window, null);
  });

  it('never types into, interrupts or kills the window that reused the id', async () => {
    await assert.rejects(findLiveAgent(deps, 'w4'), { code: 'CMUX_ERR_AGENT_NOT_FOUND' });
    await assert.rejects(interruptAgent(deps, 'w4'), { code: 'CMUX_ERR_AGENT_NOT_FOUND' });
    const killed = await killAgent(deps, 'w4');
    assert.equal(killed.archive, null, 'nothing was archived: the window was not its own');
    assert.ok((await deps.tmux.listWindows()).some((w) => w.windowId === staleId && w.name === 'a6'), 'the stranger window is alive');
  });

  it('binds a window registered by hand to its id through its tag', async () => {
    const agent = await registerExistingWindow(deps, { id: 'a6', role: 'worker', session, window: 'a6', createdBy: 'user' });
    const row = (await deps.tmux.listWindows()).find((w) => w.windowId === agent.windowId)!;
    assert.equal(row.agentTag, 'a6');
    assert.equal(agent.server, row.server);
    assert.equal((await findLiveAgent(deps, 'a6')).window.windowId, staleId);
  });

  // As cmux killed between opening the supervisor's window and registering it leaves it.
  it('closes a window with the supervisor\'s tag that no entry names, then starts the supervisor afresh', async () => {
    const orphan = await deps.tmux.newWindow({ session, name: 'supervisor', command: ['cat'] });
    await deps.tmux.tagWindow(orphan, 'supervisor');
    const stranger = await deps.tmux.newWindow({ session, name: 'untagged', command: ['cat'] });
    const report = await bringUpTeam(deps);
    assert.equal(report.supervisor, 'started');
    const windows = await deps.tmux.listWindows();
    assert.equal(windows.some((w) => w.windowId === orphan), false, 'the orphan is gone');
    assert.ok(windows.some((w) => w.windowId === stranger), 'a window without the tag is left alone');
    const supervisor = (await listAgentWindows(deps)).agents.find((a) => a.agent.id === 'supervisor');
    assert.ok(supervisor?.window && supervisor.window.windowId !== orphan, 'a registered supervisor in a window of its own');
    await killAgent(deps, 'supervisor', { force: true });
  });
});
