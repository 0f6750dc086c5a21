import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSessionStore } from '../../apps/server/auth/session-store.ts';
import { createSessions, LOGIN_CODE_TTL_MS, SESSION_TTL_MS } from '../../apps/server/auth/sessions.ts';
import { createReplayGuard, REPLAY_WINDOW_MS } from '../../apps/server/webhooks/replay-guard.ts';

describe('dashboard login codes and sessions', () => {
  it('a code works once and only while it is fresh; a session ends when it expires or is revoked', () => {
    let now = 1_000_000;
    const sessions = createSessions(() => now);
    const { code } = sessions.issueCode();
    const session = sessions.redeem(code);
    assert.ok(session && session !== code);
    assert.equal(sessions.redeem(code), null, 'single use');
    assert.equal(sessions.isLive(session), true);
    const late = sessions.issueCode().code;
    now += LOGIN_CODE_TTL_MS + 1;
    assert.equal(sessions.redeem(late), null, 'expired');
    now += SESSION_TTL_MS;
    assert.equal(sessions.isLive(session), false, 'the session expired');
    const other = sessions.open();
    sessions.revoke(other);
    assert.equal(sessions.isLive(other), false);
    assert.equal(sessions.isLive(undefined), false);
  });

  it('sessions outlive a restarted server through state/sessions.json, which holds digests only; a logout ends them there too', () => {
    const home = mkdtempSync(join(tmpdir(), 'cx-sessions-'));
    try {
      const first = createSessions(Date.now, fileSessionStore(home));
      const kept = first.redeem(first.issueCode().code)!;
      const ended = first.open();
      first.revoke(ended);
      const file = join(home, 'state', 'sessions.json');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.ok(!readFileSync(file, 'utf8').includes(kept), 'no session id on disk');
      const restarted = createSessions(Date.now, fileSessionStore(home));
      assert.equal(restarted.isLive(kept), true);
      assert.equal(restarted.isLive(ended), false);
      const code = first.issueCode().code;
      assert.equal(restarted.redeem(code), null, 'login codes do not outlive the server');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('a damaged sessions file is an empty store, not a failed start', () => {
    const home = mkdtempSync(join(tmpdir(), 'cx-sessions-'));
    try {
      const store = fileSessionStore(home);
      store.save({ 'not-a-digest': 1 });
      assert.deepEqual(store.load(), {});
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('webhook replays', () => {
  it('takes a delivery id or a signed body once within the window, whatever the event header', () => {
    let now = 0;
    const guard = createReplayGuard(() => now);
    const body = Buffer.from('{"action":"opened"}');
    assert.ok(guard.claim({ source: 'github', deliveryId: 'd1', signedBody: body }));
    assert.equal(guard.claim({ source: 'github', deliveryId: 'd1', signedBody: Buffer.from('{}') }), null, 'same delivery id');
    assert.equal(guard.claim({ source: 'github', deliveryId: 'd2', signedBody: body }), null, 'same signed body under a new id');
    assert.ok(guard.claim({ source: 'ci', deliveryId: 'd1', signedBody: undefined }), 'another source');
    now += REPLAY_WINDOW_MS + 1;
    assert.ok(guard.claim({ source: 'github', deliveryId: 'd1', signedBody: body }), 'after the window');
  });

  it('gives a delivery back when storing it failed, so the sender may retry', () => {
    const guard = createReplayGuard();
    const release = guard.claim({ source: 'github', deliveryId: 'd9', signedBody: undefined });
    release!();
    assert.ok(guard.claim({ source: 'github', deliveryId: 'd9', signedBody: undefined }));
  });
});
