import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_SHARED_PREVIEW, sharedPreviews } from '../../apps/server/cluster/previews.ts';

// What another host's dashboards get of this host's cards: sampled, clipped, forgotten.
describe("the previews a cluster host shares with the others", () => {
  it('changes an agent\'s shared preview at most once a second, keeps the newest, clips the start of a long one, and forgets a gone agent', () => {
    let now = 0;
    const previews = new Map([['w1', 'one']]);
    const shared = sharedPreviews(() => previews, () => now);
    assert.deepEqual([...shared(['w1', 'w2'])], [['w1', 'one']], 'an agent with no preview yet has none');
    previews.set('w1', 'two');
    now = 400;
    assert.equal(shared(['w1']).get('w1'), 'one', 'too soon: the last one stays');
    previews.set('w1', 'three');
    now = 1_000;
    assert.equal(shared(['w1']).get('w1'), 'three', 'a second on: the newest');
    now = 1_100;
    assert.equal(shared(['w1']).get('w1'), 'three');
    const long = `${'x'.repeat(MAX_SHARED_PREVIEW)}the end`;
    previews.set('w1', long);
    now = 2_000;
    const clipped = shared(['w1']).get('w1')!;
    assert.equal(clipped.length, MAX_SHARED_PREVIEW);
    assert.ok(clipped.endsWith('the end'));
    // Gone, then back under the same name: its first preview goes out at once.
    assert.equal(shared([]).size, 0);
    previews.set('w1', 'again');
    now = 2_100;
    assert.equal(shared(['w1']).get('w1'), 'again');
  });
});
