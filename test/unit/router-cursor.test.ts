import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { appendMessage, createLogger, openHistory } from '../../apps/core/src/index.ts';
import { createRouter } from '../../apps/router/router.ts';
import { agentHarness } from '../helpers/agents.ts';
import { eventually } from '../helpers/tmux.ts';

// The router saves its mailbox cursor a second after it moves rather than at every line, and
// watches the mailbox only once it exists (chokidar would watch a missing file through the whole
// of CMUX_HOME). What must hold: mail appended to a mailbox that appears after the start, or that
// is removed and written again, is read; a router that stops leaves its cursor where it read to.
describe('the router and its mailbox cursor', { timeout: 120_000 }, () => {
  const harness = agentHarness();
  const quiet = createLogger('test', { out: { write: () => true } as never, err: { write: () => true } as never });
  const router = createRouter(harness.deps.config, quiet);
  const mailbox = join(harness.home, 'mailbox.jsonl');
  const stored = (subject: string) => {
    const history = openHistory(harness.home);
    try {
      return history.page({ limit: 100 }).some((m) => m.subject === subject);
    } finally {
      history.close();
    }
  };

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
