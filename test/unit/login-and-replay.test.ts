import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSessionStore } from '../../apps/server/auth/session-store.ts';
import { SESSION_ID_LENGTH } from '../../apps/core/src/index.ts';
import { createSessions, LOGIN_CODE_TTL_MS, SESSION_TTL_MS } from '../../apps/server/auth/sessions.ts';
import { createReplayGuard, REPLAY_WINDOW_MS } from '../../apps/server/webhooks/replay-guard.ts';

describe('dashboard login codes and sessions', () => {
  it('a code works once and only while it is fresh; a session ends when it expires or is revoked', () => {
    let now = 1_000_000;
    const sessions = createSessions(() => now);
    const { code } = sessions.issueCode();
    const login = sessions.redeem(code);
    assert.ok(login && login.session !== code);
    assert.equal(login.expiresAt, new Date(now + SESSION_TTL_MS).toISOString());
    assert.equal(sessions.redeem(code), null, 'single use');
    assert.ok(sessions.use(login.session));
    const late = sessions.issueCode().code;
    now += LOGIN_CODE_TTL_MS + 1;
    assert.equal(sessions.redeem(late), null, 'expired');
    now += SESSION_TTL_MS;
    assert.equal(sessions.use(login.session), null, 'the session expired');
    const other = sessions.open().session;
    assert.equal(sessions.revoke(sessions.list().at(-1)!.id), 1);
    assert.equal(sessions.use(other), null);
    assert.equal(sessions.use(undefined), null);
    assert.equal(sessions.use(''), null);
  });

  it('a logout ends the family of its login: the sessions minted from it, theirs, and codes not yet used; other logins live on', () => {
    const sessions = createSessions();
    const root = sessions.redeem(sessions.issueCode().code)!.session;
    const child = sessions.redeem(sessions.issueCode(sessions.use(root)!).code)!.session;
    const grandchild = sessions.redeem(sessions.issueCode(sessions.use(child)!).code)!.session;
    const pending = sessions.issueCode(sessions.use(child)!).code;
    const stranger = sessions.open().session;
    assert.deepEqual(sessions.list().map((s) => s.via), ['login-url', 'session-url', 'session-url', 'login-form']);
    assert.equal(sessions.logout(grandchild), 3, 'logging out of any member ends the whole family');
    for (const ended of [root, child, grandchild]) assert.equal(sessions.use(ended), null);
    assert.equal(sessions.redeem(pending), null, 'a code the family minted died with it');
    assert.ok(sessions.use(stranger));
    assert.equal(sessions.logout(grandchild), 0, 'a second logout ends nothing');
    assert.equal(sessions.logout('not-a-session'), 0);
  });

  it('lists sessions by an id that buys nothing; a revoke ends the session and what it minted, not its parent', () => {
    let now = 5_000_000;
    const sessions = createSessions(() => now);
    const root = sessions.open().session;
    now += 1_000;
    const child = sessions.redeem(sessions.issueCode(sessions.use(root)!).code)!.session;
    const [first, second] = sessions.list();
    assert.equal(first!.id.length, SESSION_ID_LENGTH);
    assert.ok(!root.includes(first!.id) && !child.includes(second!.id), 'the id is no part of the secret');
    assert.deepEqual(second, { id: second!.id, createdAt: new Date(now).toISOString(), lastUsedAt: new Date(now).toISOString(), expiresAt: new Date(now + SESSION_TTL_MS).toISOString(), via: 'session-url', parent: first!.id });
    now += 120_000;
    sessions.use(child);
    assert.equal(sessions.list()[1]!.lastUsedAt, new Date(now).toISOString(), 'last used moves on');
    assert.equal(sessions.revoke('0'.repeat(SESSION_ID_LENGTH)), 0, 'an unknown id ends nothing');
    assert.equal(sessions.revoke(second!.id), 1);
    assert.ok(sessions.use(root), 'the parent lives on');
    sessions.redeem(sessions.issueCode(sessions.use(root)!).code);
    assert.equal(sessions.revoke(first!.id), 2, 'the root and the session it minted since');
    sessions.open();
    sessions.open();
    assert.equal(sessions.revokeAll(), 2);
    assert.deepEqual(sessions.list(), []);
  });

  it('sessions outlive a restarted server through state/sessions.json, which holds digests only; a logout ends them there too', () => {
    const home = mkdtempSync(join(tmpdir(), 'cx-sessions-'));
    try {
      const first = createSessions(Date.now, fileSessionStore(home));
      const kept = first.redeem(first.issueCode().code)!.session;
      const ended = first.open().session;
      first.logout(ended);
      const file = join(home, 'state', 'sessions.json');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.ok(!readFileSync(file, 'utf8').includes(kept), 'no session secret on disk');
      const restarted = createSessions(Date.now, fileSessionStore(home));
      assert.ok(restarted.use(kept));
      assert.equal(restarted.use(ended), null);
      const code = first.issueCode().code;
      assert.equal(restarted.redeem(code), null, 'login codes do not outlive the server');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('a damaged sessions file, or one of the cookie era, is an empty store, not a failed start', () => {
    const home = mkdtempSync(join(tmpdir(), 'cx-sessions-'));
    try {
      const store = fileSessionStore(home);
      const file = join(home, 'state', 'sessions.json');
      mkdirSync(join(home, 'state'), { mode: 0o700 });
      for (const text of ['{"not-a-digest": 1}', `{"${'a'.repeat(64)}": ${Date.now() + 60_000}}`, '{"broken', '[]']) {
        writeFileSync(file, text);
        assert.deepEqual(store.load(), {}, text);
      }
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
