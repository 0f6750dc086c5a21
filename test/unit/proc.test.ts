import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findListeners, findPortHolders, isAlive, terminateAll } from '../../apps/core/src/index.ts';
import { cleanEnv, freePort } from '../helpers/instance.ts';
import { killFixture, spawnFixture } from '../helpers/spawn-fixture.ts';

describe('listeners and termination', { timeout: 30_000 }, () => {
  it('finds the listener on a port, not the clients connected to it', async () => {
    const port = await freePort();
    const server = await spawnFixture('stubborn-server.mjs', [String(port)], { env: { ...cleanEnv(), CMUX_HOME: '/x/home' }, readyLine: 'listening' });
    const client = await spawnFixture('hold-connection.mjs', [String(port)], { readyLine: 'connected' });
    try {
      assert.deepEqual(await findListeners(port), [server.pid]);
      const [holder] = await findPortHolders(port, '/x/home');
      assert.equal(holder?.ours, true);
      assert.match(holder?.command ?? '', /stubborn-server\.mjs/);
      assert.equal((await findPortHolders(port, '/other/home'))[0]?.ours, false);
      assert.deepEqual(await findListeners(await freePort()), []);
    } finally {
      await Promise.all([killFixture(server), killFixture(client)]);
    }
  });

  it('escalates to SIGKILL for a process that ignores SIGTERM, and reports each pid', async () => {
    const port = await freePort();
    const stubborn = await spawnFixture('stubborn-server.mjs', [String(port)], { readyLine: 'listening' });
    const polite = await spawnFixture('hold-connection.mjs', [String(port)], { readyLine: 'connected' });
    try {
      const outcomes = await terminateAll([stubborn.pid!, polite.pid!, 999_999_999], 500);
      assert.deepEqual(outcomes, [
        { pid: stubborn.pid, result: 'killed' },
        { pid: polite.pid, result: 'terminated' },
        { pid: 999_999_999, result: 'gone' },
      ]);
      assert.equal(isAlive(stubborn.pid!), false);
      assert.equal(isAlive(polite.pid!), false);
    } finally {
      await Promise.all([killFixture(stubborn), killFixture(polite)]);
    }
  });
});
