import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAgent, createAgentDeps, sendToAgent, startAgent, type AgentDeps } from '../../apps/agents/index.ts';
import { createLogger, shellQuote } from '../../apps/core/src/index.ts';
import { agentHarness } from '../helpers/agents.ts';
import { ROOT } from '../helpers/instance.ts';
import { eventually } from '../helpers/tmux.ts';

// Long enough that a delivery which waits it out twice (before Enter, then before looking at
// the input box) is told apart from one that looks when the agent redraws.
const SUBMIT_DELAY_MS = 3_000;
const quiet = createLogger('test', { out: { write: () => true } as never, err: { write: () => true } as never });

describe('typing into an agent wakes on its output', { timeout: 120_000 }, () => {
  let harness: ReturnType<typeof agentHarness>;
  let control: AgentDeps;
  before(async () => {
    harness = agentHarness({}, { userConfig: `agentKinds:\n  demo:\n    submitDelayMs: ${SUBMIT_DELAY_MS}\n` });
    const demo = `${shellQuote(process.execPath)} ${shellQuote(join(ROOT, 'dist/apps/demo-agent/index.js'))}`;
    await startAgent(harness.deps, await createAgent(harness.deps, { name: 'typist', command: demo, cwd: harness.base, createdBy: 'test' }));
    control = createAgentDeps(harness.deps.config, quiet, { control: true });
    await eventually(async () => (await control.tmux.listWindows(), control.tmux.streamedSession), (session) => session === 'cmux', 20_000);
  });
  after(async () => {
    await control.tmux.close();
    await harness.cleanup();
  });

  const timed = async (deps: AgentDeps, text: string) => {
    const started = performance.now();
    const result = await sendToAgent(deps, 'typist', text, 'user');
    assert.equal(result.outcome, 'submitted');
    assert.equal(result.enterPresses, 1);
    return performance.now() - started;
  };

  it('sees the input box empty as soon as the agent redraws, not after the kind\'s whole wait', async () => {
    const took = await timed(control, 'say hello from the stream');
    // The pause before Enter is the kind's rule and stays; the wait after it ends on output.
    assert.ok(took >= SUBMIT_DELAY_MS, `took ${took.toFixed(0)} ms`);
    assert.ok(took < 2 * SUBMIT_DELAY_MS - 1_000, `took ${took.toFixed(0)} ms: the look at the input box waited for the whole delay`);
  });

  it('without a stream, looks once the wait is over, as before', async () => {
    const took = await timed(harness.deps, 'say hello without the stream');
    assert.ok(took >= 2 * SUBMIT_DELAY_MS, `took ${took.toFixed(0)} ms`);
  });
});
