import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';
import { isAlive, withFileLock } from '../../apps/core/src/index.ts';
import { ROOT } from '../helpers/instance.ts';

const dir = mkdtempSync(join(tmpdir(), 'cx-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the cross-process file lock', { timeout: 60_000 }, () => {
  it('lets a waiter go before those that came well after it, however hard they try', async () => {
    const file = join(dir, 'fair');
    const order: string[] = [];
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const holder = withFileLock(dir, file, async () => {
      held();
      await sleep(1_000);
    });
    await holding;
    const first = withFileLock(dir, file, async () => void order.push('first'));
    await sleep(300);
    const later = Array.from({ length: 10 }, (_, i) => withFileLock(dir, file, async () => void order.push(`later ${i}`)));
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
      assert.equal(await withFileLock(dir, file, async () => 'got it', { timeoutMs: 5_000 }), 'got it');
      assert.ok(Date.now() - started < 5_000);
      assert.equal(existsSync(ticket), name === 'stopped', `${name}: a live process keeps its ticket`);
    }
  });

  it('takes over a noted lock whose holder was killed within seconds, not after it goes stale', async () => {
    const file = join(dir, 'killed');
    const holder = execa(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', `
        import { withFileLock } from ${JSON.stringify(join(ROOT, 'apps/core/src/index.ts'))};
        await withFileLock(${JSON.stringify(dir)}, ${JSON.stringify(file)}, async () => { console.log('held'); await new Promise(() => {}); }, { noteHolder: true });`],
      { cwd: ROOT, timeout: 60_000, reject: false },
    );
    await new Promise<void>((resolve) => holder.stdout!.on('data', (chunk: Buffer) => String(chunk).includes('held') && resolve()));
    holder.kill('SIGKILL');
    await holder;
    assert.equal(isAlive(holder.pid!), false);
    const started = Date.now();
    assert.equal(await withFileLock(dir, file, async () => 'taken over', { noteHolder: true, timeoutMs: 20_000 }), 'taken over');
    // Its lock goes stale after 10 s; a dead holder's is taken once it has been still for 2 s.
    assert.ok(Date.now() - started < 6_000, `took ${Date.now() - started} ms`);
  });

  it('never takes a noted lock from a holder that lives', async () => {
    const file = join(dir, 'alive');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const taken = new Promise<void>((resolve) => (holding = resolve));
    const holder = withFileLock(dir, file, async () => {
      holding();
      await held;
    }, { noteHolder: true });
    await taken;
    await assert.rejects(withFileLock(dir, file, async () => 'stolen', { noteHolder: true, timeoutMs: 3_000 }), { code: 'CMUX_ERR_LOCK_TIMEOUT' });
    release();
    await holder;
  });
});
