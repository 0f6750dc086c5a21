import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { withFileLock } from '../../apps/core/src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'cx-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the cross-process file lock', { timeout: 60_000 }, () => {
  it('lets a waiter go before those that came well after it, however hard they try', async () => {
    const file = join(dir, 'fair');
    const order: string[] = [];
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const holder = withFileLock(file, async () => {
      held();
      await sleep(1_000);
    });
    await holding;
    const first = withFileLock(file, async () => void order.push('first'));
    await sleep(300);
    const later = Array.from({ length: 10 }, (_, i) => withFileLock(file, async () => void order.push(`later ${i}`)));
    await Promise.all([holder, first, ...later]);
    assert.equal(order[0], 'first', order.join(', '));
    assert.equal(order.length, 11);
    assert.deepEqual(readdirSync(`${file}.queue`), [], 'every ticket taken back');
  });

  it('passes over the ticket of a process that is gone, and of a waiter that stopped trying', async () => {
    for (const [name, pid] of [['gone', 2 ** 22 + 17], ['stopped', process.pid]] as const) {
      const file = join(dir, name);
      mkdirSync(`${file}.queue`, { recursive: true });
      const ticket = join(`${file}.queue`, `${String(Date.now() - 10_000).padStart(15, '0')}-${pid}-00000000`);
      writeFileSync(ticket, '');
      const old = new Date(Date.now() - 10_000);
      utimesSync(ticket, old, old);
      const started = Date.now();
      assert.equal(await withFileLock(file, async () => 'got it', { timeoutMs: 5_000 }), 'got it');
      assert.ok(Date.now() - started < 5_000);
      assert.equal(existsSync(ticket), name === 'stopped', `${name}: a live process keeps its ticket`);
    }
  });
});
