import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAgent, startAgent } from '../../apps/agents/index.ts';
import { appendMessage, CmuxError, createLogger, openHistory, shellQuote } from '../../apps/core/src/index.ts';
import { createDeadLetters } from '../../apps/router/dead-letters.ts';
import { deliverToAgent } from '../../apps/router/deliver-agent.ts';
import { createRouter } from '../../apps/router/router.ts';
import { agentHarness } from '../helpers/agents.ts';
import { eventually } from '../helpers/tmux.ts';

const quiet = () => createLogger('test', { out: { write: () => true } as never, err: { write: () => true } as never });

function storedStatus(home: string, subject: string): string | undefined {
  const history = openHistory(home);
  try {
    return history.page({ limit: 100 }).find((m) => m.subject === subject)?.status;
  } finally {
    history.close();
  }
}

// The router saves its mailbox cursor a second after it moves rather than at every line, and
// watches the mailbox only once it exists (chokidar would watch a missing file through the whole
// of CMUX_HOME). What must hold: mail appended to a mailbox that appears after the start, or that
// is removed and written again, is read; a router that stops leaves its cursor where it read to.
describe('the router and its mailbox cursor', { timeout: 120_000 }, () => {
  const harness = agentHarness();
  const router = createRouter(harness.deps.config, quiet());
  const mailbox = join(harness.home, 'mailbox.jsonl');
  const stored = (subject: string) => storedStatus(harness.home, subject) !== undefined;

  before(async () => router.start());
  after(async () => {
    await router.stop();
    await harness.cleanup();
  });

  it('reads a mailbox that appears after it started, and one removed and written again', async () => {
    await appendMessage(harness.home, { from: 'w1', to: 'user', subject: 'first ever' });
    await eventually(async () => stored('first ever'), Boolean, 60_000);
    await appendMessage(harness.home, { from: 'w1', to: 'user', subject: 'second, watched' });
    await eventually(async () => stored('second, watched'), Boolean, 60_000);
    rmSync(mailbox);
    await appendMessage(harness.home, { from: 'w1', to: 'user', subject: 'after the removal' });
    await eventually(async () => stored('after the removal'), Boolean, 60_000);
  });

  it('leaves its cursor at the end of what it read when it stops', async () => {
    for (let i = 0; i < 5; i++) await appendMessage(harness.home, { from: 'w1', to: 'user', subject: `before the stop ${i}` });
    await eventually(async () => stored('before the stop 4'), Boolean, 60_000);
    await router.stop();
    const cursor = JSON.parse(readFileSync(join(harness.home, 'state', 'router.json'), 'utf8')) as { inode: number; offset: number };
    const { ino, size } = statSync(mailbox);
    assert.deepEqual({ inode: cursor.inode, offset: cursor.offset }, { inode: ino, offset: size });
  });
});

// A delivery that fails in a way typing does not expect — here tmux not answering one call in
// time, as on a loaded machine — is tried again in its turn and typed once (it used to reject:
// the router then skipped the message, left it queued until its next start, and let the
// agent's next message overtake it).
describe('a delivery when tmux fails unexpectedly', { timeout: 180_000 }, () => {
  const harness = agentHarness();
  const out = join(harness.base, 'cat.out');

  after(async () => harness.cleanup());

  it('is tried again and typed once', async () => {
    const agent = await createAgent(harness.deps, { name: 'catter', command: `cat > ${shellQuote(out)}`, cwd: harness.base, createdBy: 'test' });
    await startAgent(harness.deps, agent);
    let failures = 1;
    const tmux = {
      ...harness.deps.tmux,
      async listWindows() {
        if (failures-- > 0) throw new CmuxError('CMUX_ERR_TMUX_TIMEOUT', 'tmux did not answer within 5000 ms');
        return harness.deps.tmux.listWindows();
      },
    };
    const history = openHistory(harness.home);
    const said: string[] = [];
    const capture = { write: (line: string) => said.push(line) } as never;
    const logger = createLogger('test', { out: capture, err: capture });
    try {
      const message = await appendMessage(harness.home, { from: 'user', to: 'catter', subject: 'one' });
      history.insertMany([{ message, status: 'queued' }]);
      const ctx = { deps: { ...harness.deps, tmux }, history, deadLetters: createDeadLetters(harness.home, logger), logger, isStopping: () => false };
      assert.equal(await deliverToAgent(ctx, message, false), 'delivered');
      assert.match(said.join(''), /delivery of \S+ to catter failed \(tmux did not answer within 5000 ms\); trying again in 1 s/);
      assert.equal(await eventually(async () => (existsSync(out) ? readFileSync(out, 'utf8') : ''), (t) => t.length > 0, 30_000), 'one\n');
      assert.equal(history.get(message.id)?.status, 'delivered');
    } finally {
      history.close();
    }
  });
});
