import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAgent, findLiveAgent, interruptAgent, killAgent } from '../../apps/agents/index.ts';
import { listAgentWindows, registerExistingWindow } from '../../apps/registry/index.ts';
import { agentHarness } from '../helpers/agents.ts';
import { eventually } from '../helpers/tmux.ts';

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
});
