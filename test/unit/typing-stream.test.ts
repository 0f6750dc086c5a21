import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
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
// A program with an input box that takes Enter 1.5 s late and prints nothing meanwhile, as an
// agent on a loaded machine does; its kind gives Enter 100 ms and no second press.
const SLOW_ENTER = `
process.stdin.setRawMode(true);
let box = '';
const draw = () => process.stdout.write('\\x1b[H\\x1b[2J> ' + box);
draw();
process.stdin.on('data', (data) => {
  for (const ch of data.toString()) {
    if (ch === '\\r') setTimeout(() => { box = ''; draw(); }, 1500);
    else { box += ch; draw(); }
  }
});
`;
const SLOW_KIND = `  slow-enter:\n    command: 'slow-enter'\n    submitDelayMs: 100\n    enterRetries: 0\n    composer: '^> ?([\\s\\S]*?)\\s*(?![\\s\\S])'\n    status: { busy: [], waiting: [], idle: ['^>'] }\n`;
const quiet = createLogger('test', { out: { write: () => true } as never, err: { write: () => true } as never });

describe('typing into an agent wakes on its output', { timeout: 120_000 }, () => {
  let harness: ReturnType<typeof agentHarness>;
  let control: AgentDeps;
  before(async () => {
    harness = agentHarness({}, { userConfig: `agentKinds:\n  demo:\n    submitDelayMs: ${SUBMIT_DELAY_MS}\n${SLOW_KIND}` });
    const demo = `${shellQuote(process.execPath)} ${shellQuote(join(ROOT, 'dist/apps/demo-agent/index.js'))}`;
    await startAgent(harness.deps, await createAgent(harness.deps, { name: 'typist', command: demo, cwd: harness.base, createdBy: 'test' }));
    writeFileSync(join(harness.base, 'slow-enter.js'), SLOW_ENTER);
    const slow = `${shellQuote(process.execPath)} ${shellQuote(join(harness.base, 'slow-enter.js'))}`;
    await startAgent(harness.deps, await createAgent(harness.deps, { name: 'slow', command: slow, cwd: harness.base, createdBy: 'test' }));
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

  it('waits for an agent that has not read Enter yet (it printed nothing since) instead of calling it not submitted', async () => {
    const result = await sendToAgent(control, 'slow', 'take this late', 'user');
    assert.equal(result.outcome, 'submitted');
    assert.equal(result.enterPresses, 1);
  });
});
