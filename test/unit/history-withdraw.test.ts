import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openHistory, type MailboxMessage } from '../../apps/core/src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'cx-withdraw-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A blocking send that gives up takes its message back; the router claims a message before it
// types it. Whichever comes first wins, and the other knows.
describe('withdrawing a message', () => {
  const history = openHistory(join(dir, 'withdraw'));
  after(() => history.close());
  const message = (): MailboxMessage => ({ id: randomUUID(), ts: new Date().toISOString(), from: 'user', to: 'w1', subject: 'hi', body: 'hi' });

  it('withdraws a queued message: the router\'s claim and notes then fail, and it stays withdrawn', () => {
    const m = message();
    history.insert(m, 'queued');
    assert.equal(history.withdraw(m, 'gave up').status, 'withdrawn');
    assert.equal(history.setStatus(m.id, 'queued', 'waiting: a dialog'), false);
    assert.equal(history.setStatus(m.id, 'delivering'), false);
    assert.equal(history.setStatus(m.id, 'dead', 'no agent'), false);
    assert.deepEqual([history.get(m.id)!.status, history.get(m.id)!.detail], ['withdrawn', 'gave up']);
    assert.ok(!history.pending().some((p) => p.id === m.id), 'a restarted router does not resume it');
  });

  it('cannot withdraw a message the router has claimed, or one it is done with', () => {
    const typing = message();
    history.insert(typing, 'queued');
    assert.equal(history.setStatus(typing.id, 'delivering'), true);
    assert.equal(history.withdraw(typing, 'gave up').status, 'delivering');
    const delivered = message();
    history.insert(delivered, 'queued');
    history.setStatus(delivered.id, 'delivered');
    assert.equal(history.withdraw(delivered, 'gave up').status, 'delivered');
  });

  it('withdraws a message the router has not read yet: reading it later stores nothing new', () => {
    const m = message();
    assert.equal(history.withdraw(m, 'gave up').status, 'withdrawn');
    assert.deepEqual(history.insertMany([{ message: m, status: 'queued' }]), [], 'not new: never dispatched');
    assert.equal(history.get(m.id)!.status, 'withdrawn');
  });
});
