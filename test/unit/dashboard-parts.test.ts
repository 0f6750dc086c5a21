import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boardTaskOf, hostOf, spawnTaskOf, teamOrder, who } from '../../apps/dashboard/src/format.ts';
import { parseRoute, routeHash } from '../../apps/dashboard/src/address.ts';
import { costText, tokenText } from '../../apps/dashboard/src/usage-text.ts';
import { mergeOutcome, unmergedWork } from '../../apps/dashboard/src/worktree-text.ts';

// The dashboard's plain helpers (issue 26, findings 7 and 11).
describe('what the dashboard shows', () => {
  it('orders the team the same way whatever order the list came in: the supervisors, then the workers, each as spawned', () => {
    const team = [
      { id: 'supervisor-beta', role: 'supervisor', name: 'supervisor-beta', createdAt: '2026-01-01T00:00:02Z' },
      { id: 'w2', role: 'worker', name: 'w2', createdAt: '2026-01-01T00:00:05Z' },
      { id: 'supervisor', role: 'supervisor', name: 'supervisor', createdAt: '2026-01-01T00:00:01Z' },
      { id: 'w1', role: 'worker', name: 'w1', createdAt: '2026-01-01T00:00:03Z' },
      { id: 'supervisor-alpha', role: 'supervisor', name: 'supervisor-alpha', createdAt: '2026-01-01T00:00:02Z' },
    ];
    const expected = ['supervisor', 'supervisor-alpha', 'supervisor-beta', 'w1', 'w2'];
    // Every rotation and the reverse of the list: one order.
    for (let i = 0; i < team.length; i++) {
      const rotated = [...team.slice(i), ...team.slice(0, i)];
      assert.deepEqual(teamOrder(rotated).map((a) => a.id), expected, `rotation ${i}`);
      assert.deepEqual(teamOrder([...rotated].reverse()).map((a) => a.id), expected, `rotation ${i}, reversed`);
    }
  });

  it('takes as the task the board\'s (working, else the first assigned), else the first message sent since the spawn', () => {
    const task = (id: number, status: string, assignee: string | null) => ({ id, title: `t${id}`, status, assignee });
    const board = [task(1, 'done', 'w1'), task(5, 'assigned', 'w1'), task(3, 'assigned', 'w1'), task(2, 'working', 'w2'), task(4, 'open', null), task(6, 'input-required', 'w1')];
    assert.equal(boardTaskOf(board, 'w1')?.id, 3, 'the first assigned: the next delivered');
    assert.equal(boardTaskOf([...board, task(7, 'working', 'w1')], 'w1')?.id, 7, 'the one it works on');
    assert.equal(boardTaskOf(board, 'w2')?.id, 2);
    assert.equal(boardTaskOf(board, 'w9'), undefined);
    const message = (seq: number, from: string, to: string, extra: { replyTo?: string } = {}) => ({ seq, id: `m${seq}`, from, to, ...extra });
    const first = [message(1, 'w1', 'supervisor'), message(2, 'supervisor', 'w1', { replyTo: 'm0' }), message(3, 'user', 'cmux:w1'), message(4, 'user', 'w1')];
    assert.equal(spawnTaskOf(first, 'w1')?.id, 'm3', 'the first one to it that is no reply, whatever its address form');
    assert.equal(spawnTaskOf(first.slice(0, 2), 'w1'), undefined);
  });

  it('says what a merge took and left, and asks before a kill in words of the page, not of the CLI', () => {
    const notes = { path: 'notes.md', status: 'untracked' };
    const base = { branch: 'cmux/w1', into: 'main', commit: 'abc', commits: 2, committed: null, leftBehind: [] };
    assert.equal(mergeOutcome(base), 'merged 2 commit(s) into main');
    assert.equal(mergeOutcome({ ...base, leftBehind: [notes] }), 'merged 2 commit(s) into main; left behind, not committed: notes.md (untracked)');
    assert.equal(mergeOutcome({ ...base, commits: 1, committed: { commit: '0123456789abcdef', files: [notes] } }), 'merged 1 commit(s) into main; first committed 1 file(s) on cmux/w1 as 0123456789');
    assert.equal(mergeOutcome({ ...base, commit: null, commits: 0 }), 'nothing to merge into main');
    const agent = { name: 'w1', worktree: { repo: '/r', branch: 'cmux/w1', base: 'x', path: '/h/worktrees/w1' } };
    const preview = { branch: 'cmux/w1', into: 'main', commits: [], commitCount: 2, uncommitted: [notes] };
    for (const [p, says] of [
      [preview, /^w1 has uncommitted files in \/h\/worktrees\/w1: notes\.md \(untracked\); and 2 commit\(s\) on cmux\/w1 not merged into main\. .*goes, with the uncommitted files\.$/s],
      [{ ...preview, uncommitted: [] }, /^w1 has 2 commit\(s\) on cmux\/w1 not merged into main\. .*worktree folder goes\.$/s],
      [null, /^w1 has work in its worktree that is neither committed nor merged\./],
    ] as const) {
      const text = unmergedWork(agent, p);
      assert.match(text, says);
      assert.match(text, /press Merge/);
      assert.doesNotMatch(text, /cmux |--/, 'no CLI command or flag');
    }
  });

  it('writes an estimated cost short, an unknown one as n/a (never $0), and token counts in k and M', () => {
    assert.deepEqual([null, 0, 0.004, 0.01, 12.345].map(costText), ['n/a', '$0', '<$0.01', '$0.01', '$12.35']);
    assert.deepEqual([0, 999, 1_500, 12_345, 2_500_000, 25_000_000].map(tokenText), ['0', '999', '1.5k', '12k', '2.5M', '25M']);
  });

  it('keeps the host filter in the address, beside the view, the agent and the grid; a host that cannot be one filters nothing', () => {
    assert.deepEqual(parseRoute('#/agents/w1%40b?host=b'), { view: 'agents', agent: 'w1@b', grid: [], host: 'b', query: {} });
    assert.deepEqual(parseRoute('#/grid/w1,w2%40b?host=desk-2'), { view: 'grid', agent: null, grid: ['w1', 'w2@b'], host: 'desk-2', query: {} });
    assert.deepEqual(parseRoute('#/system'), { view: 'system', agent: null, grid: [], host: null, query: {} });
    for (const odd of ['#/agents?host=B', '#/agents?host=../x', `#/agents?host=${'a'.repeat(33)}`, '#/agents?host=', '#/agents?host=%zz']) {
      assert.equal(parseRoute(odd).host, null, odd);
    }
    for (const hash of ['#/agents/w1%40b?host=b', '#/grid/w1,w2?host=a', '#/system?host=hub', '#/tasks']) assert.equal(routeHash(parseRoute(hash)), hash);
    // A view's own state beside the host: the search's text (with a ? and a / in it), the messages' filters.
    assert.deepEqual(parseRoute('#/search?q=a%3Fb%2Fc'), { view: 'search', agent: null, grid: [], host: null, query: { q: 'a?b/c' } });
    for (const hash of ['#/search?q=a%3Fb%2Fc', '#/messages?host=b&agent=w1&direction=in&status=dead']) assert.equal(routeHash(parseRoute(hash)), hash);
  });

  it("names another host's agent with its host, and this host's own by its name", () => {
    assert.equal(who({ id: 'w1@b', name: 'w1', host: 'b' }), 'w1@b');
    assert.equal(who({ id: 'proj:w1@b', name: 'w1', host: 'b' }), 'w1@b');
    assert.equal(who({ id: 'w1', name: 'w1', host: 'a' }), 'w1');
    assert.equal(who({ id: 'w1', name: 'w1' }), 'w1');
    assert.equal(hostOf({}, 'a'), 'a', "a frame of this host's agent names no host");
    assert.equal(hostOf({ host: 'b' }, 'a'), 'b');
    assert.equal(hostOf({}, null), null);
  });
});
