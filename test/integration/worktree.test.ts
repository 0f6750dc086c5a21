import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { agentDiff, createAgent, killAgent } from '../../apps/agents/index.ts';
import { createWorktree, mergeWorktree, previewMerge } from '../../apps/agents/worktree/index.ts';
import { agentHarness } from '../helpers/agents.ts';
import { apiClient } from '../helpers/api.ts';
import { commitAll, gitIn, makeRepo } from '../helpers/git-repo.ts';
import { createInstance, processesMentioning, type TestInstance } from '../helpers/instance.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { eventually } from '../helpers/tmux.ts';

interface Worktree {
  repo: string;
  branch: string;
  base: string;
  path: string;
}
interface Agent {
  id: string;
  windowId: string;
  status: string;
  statusSince: string;
  worktree?: Worktree;
  attention: { event: string; since: string } | null;
}
interface Diff extends Worktree {
  files: Array<{ path: string; status: string; additions: number | null; deletions: number | null }>;
  patch: string;
}

describe('a git worktree per worker: spawn, diff, merge, kill, and a nudge when an agent needs you', { timeout: 300_000 }, () => {
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let repo: string;
  let firstCommit: string;
  const tmux = (...args: string[]) => execa('tmux', ['-S', cmux.socket, ...args], { timeout: 5_000 });
  const agents = async () => (await api.call<Agent[]>('GET', '/api/agents')).body;
  const agent = async (id: string) => (await agents()).find((a) => a.id === id);
  const registry = () => (parseYaml(readFileSync(join(cmux.home, 'agents.yaml'), 'utf8')) as { agents: Record<string, { worktree?: Worktree }> }).agents;
  const branches = async () => (await gitIn(repo, 'branch', '--format=%(refname:short)')).split('\n').sort();
  // The main checkout as a person sees it: its commit, its changes, its files.
  const mainCheckout = async () => ({
    head: await gitIn(repo, 'rev-parse', 'HEAD'),
    status: await gitIn(repo, 'status', '--porcelain', '--untracked-files=all'),
    files: readdirSync(repo).sort(),
  });
  const hooksFor = (id: string, event: string) => receiver.received.filter((r) => r.body.agent === id && r.body.event === event);

  before(async () => {
    receiver = await startReceiver();
    cmux = await createInstance({ userConfig: `notify:\n  minIntervalSeconds: 0\n  webhook:\n    url: ${receiver.url}\n` });
    api = apiClient(cmux);
    repo = await makeRepo(join(cmux.base, 'repo'));
    firstCommit = await gitIn(repo, 'rev-parse', 'HEAD');
    // Uncommitted work in the main checkout, which a worktree must not get (nor lose).
    writeFileSync(join(repo, 'notes.txt'), 'my own notes, not committed\n');
    const start = await cmux.cli(['start']);
    assert.equal(start.exitCode, 0, `${start.shortMessage ?? ''} ${String(start.stderr)}`);
  });
  after(async () => {
    await cmux?.cleanup();
    await receiver?.close();
  });

  it('spawns a worker in a new worktree on its own branch: the pane works there, the registry knows it', async () => {
    const spawned = await cmux.cli(['spawn', 'w1', '--worktree', '--cwd', repo]);
    assert.equal(spawned.exitCode, 0, String(spawned.stderr));
    const path = join(cmux.home, 'worktrees', 'w1');
    assert.match(String(spawned.stdout), new RegExp(`worktree ${path} on branch cmux/w1 from ${firstCommit.slice(0, 12)}`));
    assert.match(String(spawned.stdout), /note: .* has uncommitted changes; the worktree starts from the base commit/);
    const w1 = (await agent('w1'))!;
    assert.deepEqual(w1.worktree, { repo, branch: 'cmux/w1', base: firstCommit, path });
    assert.deepEqual(registry().w1?.worktree, w1.worktree);
    const pane = await tmux('display-message', '-p', '-t', w1.windowId, '#{pane_current_path}');
    assert.equal(pane.stdout.trim(), path);
    assert.equal(await gitIn(path, 'rev-parse', '--abbrev-ref', 'HEAD'), 'cmux/w1');
    assert.ok(!existsSync(join(path, 'notes.txt')), 'the main checkout\'s uncommitted file stays there');
    const listed = await cmux.cli(['agents']);
    assert.match(String(listed.stdout), /^w1 .*\[cmux\/w1\]$/m);
  });

  it('shows committed, uncommitted and new files together in the diff API and the CLI', async () => {
    const path = join(cmux.home, 'worktrees', 'w1');
    writeFileSync(join(path, 'src', 'app.ts'), 'export const answer = 42;\n');
    await commitAll(path, 'the right answer');
    writeFileSync(join(path, 'README.md'), '# demo\n\nfirst line\nsecond line\n');
    mkdirSync(join(path, 'docs'));
    writeFileSync(join(path, 'docs', 'new.md'), 'a new page\nwith two lines\n');
    await gitIn(path, 'add', 'README.md');
    const staged = await gitIn(path, 'diff', '--cached', '--name-only');

    const diff = await api.call<Diff>('GET', '/api/agents/w1/diff');
    assert.equal(diff.status, 200, JSON.stringify(diff.body));
    assert.equal(diff.body.branch, 'cmux/w1');
    assert.equal(diff.body.base, firstCommit);
    assert.equal(diff.body.repo, repo);
    assert.deepEqual(diff.body.files, [
      { path: 'README.md', status: 'modified', additions: 1, deletions: 0 },
      { path: 'docs/new.md', status: 'added', additions: 2, deletions: 0 },
      { path: 'src/app.ts', status: 'modified', additions: 1, deletions: 1 },
    ]);
    assert.match(diff.body.patch, /^\+export const answer = 42;$/m);
    assert.match(diff.body.patch, /^-export const answer = 41;$/m);
    assert.match(diff.body.patch, /^\+with two lines$/m);
    assert.equal(await gitIn(path, 'diff', '--cached', '--name-only'), staged, 'the worker\'s own index is left as it was');

    const stat = await cmux.cli(['diff', 'w1', '--stat']);
    assert.equal(stat.exitCode, 0, String(stat.stderr));
    assert.match(String(stat.stdout), /^added +\+2 -0 +docs\/new\.md$/m);
    assert.match(String(stat.stdout), /^modified +\+1 -1 +src\/app\.ts$/m);
    const patch = await cmux.cli(['diff', 'w1']);
    assert.match(String(patch.stdout), /^\+second line$/m);
    const json = JSON.parse(String((await cmux.cli(['diff', 'w1', '--json'])).stdout)) as Diff;
    assert.deepEqual(json.files, diff.body.files);
  });

  it('refuses to kill a worker with uncommitted or unmerged work, in the CLI and the API', async () => {
    const killed = await cmux.cli(['kill', 'w1']);
    assert.equal(killed.exitCode, 1);
    // What keeps the work, said as it is: `cmux merge w1` alone would leave the files behind.
    assert.match(
      String(killed.stderr),
      /w1 has uncommitted files in \S+: README\.md \(modified\), docs\/new\.md \(untracked\); and 1 commit\(s\) on cmux\/w1 merged nowhere\. To keep the work: commit them in the worktree, or `cmux merge w1 --commit-uncommitted` \(commits them on cmux\/w1, then merges\), or kill with --keep/,
    );
    const refused = await api.call<{ code: string }>('DELETE', '/api/agents/w1');
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'CMUX_ERR_UNMERGED_WORK');
    assert.equal((await agent('w1'))?.status, 'idle', 'the worker is untouched');
  });

  it('previews a merge: the commits it takes and the uncommitted files it leaves behind, changing nothing', async () => {
    const before = await mainCheckout();
    const preview = await api.call<{ branch: string; into: string; commitCount: number; commits: Array<{ commit: string; subject: string }>; uncommitted: unknown }>('GET', '/api/agents/w1/merge-preview');
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.deepEqual({ ...preview.body, commits: preview.body.commits.map((c) => c.subject) }, {
      branch: 'cmux/w1',
      into: 'main',
      commitCount: 1,
      commits: ['the right answer'],
      uncommitted: [
        { path: 'README.md', status: 'modified' },
        { path: 'docs/new.md', status: 'untracked' },
      ],
    });
    assert.match(preview.body.commits[0]!.commit, /^[0-9a-f]{40}$/);
    const dry = await cmux.cli(['merge', 'w1', '--dry-run']);
    assert.equal(dry.exitCode, 0, String(dry.stderr));
    assert.match(String(dry.stdout), /^would merge 1 commit\(s\) of cmux\/w1 into main:\n {2}[0-9a-f]{12} the right answer\nuncommitted files, left behind \(not merged; --commit-uncommitted commits them on cmux\/w1 first\):\n {2}modified +README\.md\n {2}untracked +docs\/new\.md\n/);
    assert.equal((await api.call('GET', '/api/agents/w1/merge-preview?into=nope')).status, 400);
    assert.deepEqual(await mainCheckout(), before, 'a preview changes nothing');
  });

  it('merges a worker\'s branch cleanly into the main checkout\'s branch, naming what it leaves behind; takes the files when asked; then kills it without --force', async () => {
    const path = join(cmux.home, 'worktrees', 'w1');
    const before = await mainCheckout();
    const merged = await cmux.cli(['merge', 'w1']);
    assert.equal(merged.exitCode, 0, String(merged.stderr));
    assert.match(String(merged.stdout), /merged 1 commit\(s\) of cmux\/w1 into main/);
    assert.match(String(merged.stderr), /^cmux: warning: 2 uncommitted file\(s\) in w1's worktree were left behind, not merged: README\.md \(modified\), docs\/new\.md \(untracked\); commit them in the worktree, or `cmux merge w1 --commit-uncommitted`$/m);
    assert.equal(readFileSync(join(repo, 'src', 'app.ts'), 'utf8'), 'export const answer = 42;\n');
    assert.equal(await gitIn(repo, 'log', '-1', '--format=%s'), 'Merge cmux/w1 (agent w1) into main');
    assert.equal(await gitIn(repo, 'status', '--porcelain'), '?? notes.txt', 'only the person\'s own file is uncommitted');

    const noMessage = await api.call<{ code: string }>('POST', '/api/agents/w1/merge', { message: 'without commitUncommitted' });
    assert.equal(noMessage.status, 400, JSON.stringify(noMessage.body));
    const again = await api.call<{ commits: number; into: string; commit: string; committed: { commit: string; files: unknown }; leftBehind: unknown[]; uncommitted: boolean }>('POST', '/api/agents/w1/merge', {
      commitUncommitted: true,
      message: 'w1: docs and a second line',
    });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.commits, 1);
    assert.deepEqual(again.body.committed.files, [
      { path: 'README.md', status: 'modified' },
      { path: 'docs/new.md', status: 'untracked' },
    ]);
    assert.deepEqual([again.body.leftBehind, again.body.uncommitted], [[], false]);
    assert.equal(await gitIn(repo, 'rev-parse', 'HEAD'), again.body.commit);
    assert.equal(await gitIn(repo, 'log', '-1', '--format=%s', 'HEAD^2'), 'w1: docs and a second line');
    assert.equal(await gitIn(repo, 'rev-parse', 'HEAD^2'), again.body.committed.commit);
    assert.equal(readFileSync(join(repo, 'docs', 'new.md'), 'utf8'), 'a new page\nwith two lines\n');
    assert.equal(await gitIn(path, 'status', '--porcelain'), '', 'nothing left in the worktree');
    assert.notEqual(again.body.commit, before.head);

    const killed = await cmux.cli(['kill', 'w1']);
    assert.equal(killed.exitCode, 0, String(killed.stderr));
    assert.match(String(killed.stdout), /removed the worktree .*w1; branch cmux\/w1 stays/);
    assert.ok(!existsSync(path));
    assert.ok((await branches()).includes('cmux/w1'));
    assert.ok(readFileSync(join(repo, 'notes.txt'), 'utf8').includes('my own notes'), 'the main checkout is untouched');
    assert.equal((await gitIn(repo, 'worktree', 'list', '--porcelain')).match(/^worktree /gm)?.length, 1);
  });

  it('stops a conflicting merge cleanly, names the files, and merges into another branch in a checkout of its own', async () => {
    const spawned = await api.call<Agent & { notice?: string }>('POST', '/api/agents', { name: 'w2', worktree: true, branch: 'feature/w2', base: 'main', cwd: repo });
    assert.equal(spawned.status, 201, JSON.stringify(spawned.body));
    assert.equal(spawned.body.worktree?.branch, 'feature/w2');
    assert.match(spawned.body.notice ?? '', /uncommitted changes/);
    const path = spawned.body.worktree!.path;
    writeFileSync(join(path, 'README.md'), '# demo\n\nw2 wrote this line\nsecond line\n');
    await commitAll(path, 'w2 rewrites the first line');
    writeFileSync(join(repo, 'README.md'), '# demo\n\nmain wrote this line\nsecond line\n');
    await gitIn(repo, 'commit', '--quiet', '--all', '-m', 'main rewrites the first line too');
    const before = await mainCheckout();

    const conflict = await api.call<{ code: string; error: string }>('POST', '/api/agents/w2/merge', {});
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.code, 'CMUX_ERR_MERGE_CONFLICT');
    assert.match(conflict.body.error, /merging feature\/w2 into main conflicts in README\.md: nothing was merged/);
    const squash = await cmux.cli(['merge', 'w2', '--squash']);
    assert.equal(squash.exitCode, 1);
    assert.match(String(squash.stderr), /conflicts in README\.md/);
    assert.deepEqual(await mainCheckout(), before, 'nothing half-merged in the main checkout');
    assert.ok(!existsSync(join(repo, '.git', 'MERGE_HEAD')));
    for (const into of ['../x', '-x', 'a..b', 'no-such-branch', 'feature/w2']) {
      const bad = await api.call<{ code: string }>('POST', '/api/agents/w2/merge', { into });
      assert.equal(bad.status, 400, `${into}: ${JSON.stringify(bad.body)}`);
    }

    await gitIn(repo, 'branch', 'release', firstCommit);
    const into = await cmux.cli(['merge', 'w2', '--into', 'release', '--squash']);
    assert.equal(into.exitCode, 0, String(into.stderr));
    assert.match(String(into.stdout), /squash-merged \d+ commit\(s\) of feature\/w2 into release/);
    assert.equal(await gitIn(repo, 'show', 'release:README.md'), '# demo\n\nw2 wrote this line\nsecond line');
    assert.equal(await gitIn(repo, 'rev-list', '--count', `${firstCommit}..release`), '1', 'one squashed commit');
    assert.deepEqual(await mainCheckout(), before, 'merging into another branch never touches the main checkout');
    assert.equal((await gitIn(repo, 'worktree', 'list', '--porcelain')).match(/^worktree /gm)?.length, 2, 'the temporary checkout is gone');
  });

  it('kills with --keep: the worktree and the branch stay; with --force alone only the branch does', async () => {
    const before = await mainCheckout();
    const refused = await cmux.cli(['kill', 'w2']);
    assert.equal(refused.exitCode, 1);
    assert.match(String(refused.stderr), /1 commit\(s\) on feature\/w2 merged nowhere\. To keep the work: `cmux merge w2`, or kill with --keep/);
    // --keep keeps the work where it is: it needs no --force.
    const kept = await cmux.cli(['kill', 'w2', '--keep']);
    assert.equal(kept.exitCode, 0, String(kept.stderr));
    assert.match(String(kept.stdout), /kept the worktree .*w2; branch feature\/w2 stays/);
    assert.ok(existsSync(join(cmux.home, 'worktrees', 'w2', 'README.md')));
    assert.ok(!registry().w2);

    assert.equal((await api.call('POST', '/api/agents', { name: 'w3', worktree: true, cwd: repo })).status, 201);
    const path = registry().w3!.worktree!.path;
    writeFileSync(join(path, 'scratch.txt'), 'unsaved\n');
    await gitIn(repo, 'branch', 'w3-target', registry().w3!.worktree!.base);
    const committed = await cmux.cli(['merge', 'w3', '--commit-uncommitted', '-m', 'w3: the scratch file', '--into', 'w3-target']);
    assert.equal(committed.exitCode, 0, String(committed.stderr));
    assert.match(String(committed.stdout), /^committed 1 uncommitted file\(s\) on cmux\/w3 as [0-9a-f]{12}: scratch\.txt \(untracked\)\nmerged 1 commit\(s\) of cmux\/w3 into w3-target/);
    assert.equal(String(committed.stderr), '', 'nothing left behind to warn about');
    assert.equal(await gitIn(repo, 'show', 'w3-target:scratch.txt'), 'unsaved');
    writeFileSync(join(path, 'scratch.txt'), 'changed again\n');
    assert.equal((await api.call('DELETE', '/api/agents/w3?force=1&keep=0')).status, 200);
    assert.ok(!existsSync(path));
    assert.deepEqual((await branches()).filter((b) => !['main', 'release', 'w3-target'].includes(b)), ['cmux/w1', 'cmux/w3', 'feature/w2']);
    assert.deepEqual(await mainCheckout(), before, 'removing worktrees never touches the main checkout');
  });

  it('refuses bad input before git or tmux see it: not a repository, bad branch names and bases, path tricks', async () => {
    const windows = (await tmux('list-windows', '-a', '-F', '#{window_id}')).stdout;
    await gitIn(repo, 'tag', 'v-tag');
    const branchesBefore = await branches();
    const refsBefore = await gitIn(repo, 'for-each-ref', '--format=%(refname) %(objectname)');
    const plain = join(cmux.base, 'plain');
    mkdirSync(plain);
    const notRepo = await api.call<{ code: string; error: string }>('POST', '/api/agents', { name: 'nr', worktree: true, cwd: plain });
    assert.equal(notRepo.status, 400);
    assert.equal(notRepo.body.code, 'CMUX_ERR_NOT_A_REPO');
    assert.match(notRepo.body.error, /is not inside a git repository/);
    const cli = await cmux.cli(['spawn', 'nr', '--worktree', '--cwd', plain]);
    assert.equal(cli.exitCode, 2);
    assert.match(String(cli.stderr), /not inside a git repository/);

    const cases: Array<[Record<string, unknown>, number, string]> = [
      ...['../x', '-x', 'a..b', 'x.lock', 'a b', 'a//b', 'a/.b', '/abs', 'x/', 'ü', 'a~1', 'a:b', 'a\nb', '.hidden', 'HEAD@{1}'].map(
        (branch): [Record<string, unknown>, number, string] => [{ branch }, 400, 'CMUX_ERR_BAD_REQUEST'],
      ),
      ...['--upload-pack=touch /tmp/x', 'no-such-ref', 'main..release', 'main:README.md', '$(id)'].map(
        (base): [Record<string, unknown>, number, string] => [{ base }, 400, 'CMUX_ERR_BAD_REQUEST'],
      ),
      ...['v-tag', 'HEAD', 'FETCH_HEAD', 'ORIG_HEAD', 'MERGE_HEAD', 'refs/heads/main', 'refs/tags/v-tag', 'heads/main'].map(
        (branch): [Record<string, unknown>, number, string] => [{ branch }, 400, 'CMUX_ERR_REF_AMBIGUOUS'],
      ),
      [{ branch: 'main' }, 409, 'CMUX_ERR_BRANCH_EXISTS'],
      [{ branch: 'feature/w2' }, 409, 'CMUX_ERR_BRANCH_EXISTS'],
      [{ worktree: 'yes' }, 400, 'CMUX_ERR_BAD_REQUEST'],
      [{ name: '../../etc' }, 400, 'CMUX_ERR_AGENT_BAD_NAME'],
      [{ name: 'supervisor' }, 409, 'CMUX_ERR_AGENT_EXISTS'],
    ];
    for (const [fields, status, code] of cases) {
      const body = { name: 'bad', worktree: true, cwd: repo, ...fields };
      const res = await api.call<{ code?: string; error: string }>('POST', '/api/agents', body);
      assert.equal(res.status, status, `${JSON.stringify(fields)}: ${JSON.stringify(res.body)}`);
      if (res.body.code) assert.equal(res.body.code, code, JSON.stringify(fields));
    }
    const noWorktree = await api.call<{ code: string }>('POST', '/api/agents', { name: 'bad', branch: 'x' });
    assert.equal(noWorktree.status, 400, 'a branch without a worktree');

    assert.equal((await api.call<{ code: string }>('GET', '/api/agents/supervisor/diff')).body.code, 'CMUX_ERR_NO_WORKTREE');
    assert.equal((await api.call('GET', '/api/agents/nobody/diff')).status, 404);
    assert.equal((await api.call('GET', '/api/agents/..%2F..%2Fetc/diff')).status, 404);
    assert.equal((await api.call<{ code: string }>('POST', '/api/agents/supervisor/merge', {})).body.code, 'CMUX_ERR_NO_WORKTREE');
    assert.equal((await api.call('DELETE', '/api/agents/supervisor?force=maybe')).status, 400);
    assert.equal((await tmux('list-windows', '-a', '-F', '#{window_id}')).stdout, windows, 'no window was made');
    assert.deepEqual(await branches(), branchesBefore, 'no branch was made');
    assert.equal(await gitIn(repo, 'for-each-ref', '--format=%(refname) %(objectname)'), refsBefore, 'no ref of any kind was made or moved');
    assert.ok(!existsSync(join(cmux.base, 'x')));
    assert.deepEqual(readdirSync(join(cmux.home, 'worktrees')).sort(), ['w2'], 'only the kept worktree');
  });

  it('nudges: a webhook within 2 s when an agent waits, then when it finishes a turn, then when it exits; the API and CLI mark it', async () => {
    assert.equal((await api.call('POST', '/api/agents', { name: 'w4', worktree: true, cwd: repo, task: 'hello' })).status, 201);
    await eventually(() => agent('w4'), (a) => a?.status === 'idle', 30_000);

    assert.equal((await api.call('POST', '/api/agents/w4/message', { text: 'please ask permission first' })).status, 202);
    const waiting = await eventually(() => agent('w4'), (a) => a?.status === 'waiting', 15_000);
    assert.equal(waiting!.attention?.event, 'waiting');
    const [hook] = await eventually(async () => hooksFor('w4', 'waiting'), (list) => list.length > 0, 5_000);
    assert.ok(hook!.at - Date.parse(waiting!.statusSince) < 2_000, `the webhook came ${hook!.at - Date.parse(waiting!.statusSince)} ms after the change`);
    assert.deepEqual(Object.keys(hook!.body).sort(), ['agent', 'event', 'previous', 'status', 'text', 'ts']);
    assert.equal(hook!.body.text, 'cmux: w4 is waiting for your answer');
    assert.equal(hook!.body.status, 'waiting');
    await eventually(async () => String((await cmux.cli(['agents'])).stdout), (out) => /^w4 +waiting .*! needs you: waiting/m.test(out), 15_000);

    // Answered in its terminal, as a person would (the router holds messages while a dialog waits).
    await tmux('send-keys', '-t', waiting!.windowId, '-l', 'y');
    await tmux('send-keys', '-t', waiting!.windowId, 'Enter');
    await eventually(() => agent('w4'), (a) => a?.status === 'idle' && a.attention?.event !== 'waiting', 15_000);
    const doneBefore = hooksFor('w4', 'done').length;
    assert.equal((await api.call('POST', '/api/agents/w4/message', { text: 'work on this: sleep 2' })).status, 202);
    await eventually(() => agent('w4'), (a) => a?.status === 'busy', 15_000);
    const done = await eventually(() => agent('w4'), (a) => a?.status === 'idle', 15_000);
    assert.equal(done!.attention?.event, 'done');
    const finished = (await eventually(async () => hooksFor('w4', 'done'), (list) => list.length > doneBefore, 5_000)).at(-1);
    assert.ok(finished!.at - Date.parse(done!.statusSince) < 2_000);
    assert.equal(finished!.body.previous, 'busy');

    // Escape pressed in its own terminal, behind cmux's back (as in `cmux attach`): the agent's
    // "Interrupted" line says the turn was stopped, not finished (issue 26, finding 7).
    assert.equal((await api.call('POST', '/api/agents/w4/message', { text: 'work on this: sleep 30' })).status, 202);
    await eventually(() => agent('w4'), (a) => a?.status === 'busy', 15_000);
    await tmux('send-keys', '-t', waiting!.windowId, 'Escape');
    const stopped = await eventually(() => agent('w4'), (a) => a?.status === 'idle', 15_000);
    assert.equal(stopped!.attention, null, 'an interrupted turn is not done');

    const [demo] = processesMentioning(['CMUX_AGENT_NAME=w4', cmux.base]).filter((p) => p.command.includes('demo-agent'));
    assert.ok(demo, 'the demo agent process of w4');
    process.kill(demo.pid, 'SIGKILL');
    const exited = await eventually(() => agent('w4'), (a) => a?.status === 'exited', 15_000);
    assert.equal(exited!.attention?.event, 'exited');
    const [gone] = await eventually(async () => hooksFor('w4', 'exited'), (list) => list.length > 0, 5_000);
    assert.ok(gone!.at - Date.parse(exited!.statusSince) < 2_000);
    assert.equal(hooksFor('w4', 'waiting').length, 1, 'one notification per event');
    assert.equal(hooksFor('w4', 'done').length, doneBefore + 1, 'no webhook for the interrupted turn');
  });
});

describe('worktrees.default: every worker gets a worktree unless it says otherwise', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cx-wt-default-'));
  let harness: ReturnType<typeof agentHarness>;
  let repo: string;
  before(async () => {
    repo = await makeRepo(join(dir, 'repo'));
    writeFileSync(join(dir, 'user.yaml'), 'worktrees:\n  default: true\n  branchPrefix: team/\n');
    harness = agentHarness({ CMUX_CONFIG: join(dir, 'user.yaml') });
  });
  after(async () => {
    await harness?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives a worker one, and neither a supervisor nor a worker spawned with worktree: false', async () => {
    const { deps } = harness;
    const worker = await createAgent(deps, { name: 'd1', command: 'cat', cwd: join(repo, 'src'), createdBy: 'user' });
    assert.equal(worker.worktree?.branch, 'team/d1');
    assert.equal(worker.cwd, join(worker.worktree!.path, 'src'), 'the same subfolder, inside the worktree');
    const plain = await createAgent(deps, { name: 'd2', command: 'cat', cwd: repo, worktree: false, createdBy: 'user' });
    assert.equal(plain.worktree, undefined);
    assert.equal(plain.cwd, repo);
    const lead = await createAgent(deps, { name: 'lead', role: 'supervisor', command: 'cat', cwd: repo, createdBy: 'user' });
    assert.equal(lead.worktree, undefined);
    assert.deepEqual((await gitIn(repo, 'branch', '--format=%(refname:short)')).split('\n').sort(), ['main', 'team/d1']);
  });

  it('says so when a worktree folder was deleted by hand, and still kills its worker cleanly', async () => {
    const { deps } = harness;
    const path = join(deps.config.worktrees.dir, 'd1');
    rmSync(path, { recursive: true, force: true });
    await assert.rejects(agentDiff(deps, 'd1'), (error: Error & { code?: string }) => error.code === 'CMUX_ERR_NO_WORKTREE' && /is gone/.test(error.message));
    const killed = await killAgent(deps, 'd1');
    assert.equal(killed.worktree?.kept, false);
    // The folder's path, not /d1/: a commit hash in the list may hold "d1".
    assert.ok(!(await gitIn(repo, 'worktree', 'list')).includes(path), 'git forgot it too');
    assert.match(await gitIn(repo, 'branch', '--list', 'team/d1'), /team\/d1/);
  });
});

describe('refs that mean one thing: branches are made, merged and compared by their full names', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cx-wt-refs-'));
  const worktrees = join(dir, 'worktrees');
  let repo: string;
  // Every ref of the repository with its commit: what a refused request must leave as it was.
  const refs = async () => gitIn(repo, 'for-each-ref', '--format=%(refname) %(objectname)');
  const spawnWorktree = (name: string, branch?: string) => createWorktree({ name, cwd: repo, branch, dir: worktrees, branchPrefix: 'cmux/' });
  const refusedWith = (code: string) => (error: Error & { code?: string }) => {
    assert.equal(error.code, code, error.message);
    return true;
  };
  before(async () => {
    repo = await makeRepo(join(dir, 'repo'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a branch name git would read as something else, and creates nothing', async () => {
    await gitIn(repo, 'tag', 'release');
    const before = await refs();
    const commitId = (await gitIn(repo, 'rev-parse', 'HEAD')).slice(0, 10);
    for (const branch of ['release', 'HEAD', 'FETCH_HEAD', 'ORIG_HEAD', 'MERGE_HEAD', 'CHERRY_PICK_HEAD', 'refs/heads/main', 'refs/heads/x', 'refs/tags/release', 'heads/main', 'tags/v1', 'remotes/origin/main', commitId]) {
      await assert.rejects(spawnWorktree('bad', branch), refusedWith('CMUX_ERR_REF_AMBIGUOUS'), branch);
    }
    await assert.rejects(spawnWorktree('bad', 'main'), refusedWith('CMUX_ERR_BRANCH_EXISTS'));
    assert.equal(await refs(), before, 'no branch, tag or other ref was made');
    assert.ok(!existsSync(join(worktrees, 'bad')));
  });

  it('merges the worker\'s branch, not a tag of the same name made later, and checks that the target holds its head', async () => {
    const { worktree } = await spawnWorktree('w1', 'feature');
    writeFileSync(join(worktree.path, 'feature.txt'), 'from the worker\n');
    const head = await commitAll(worktree.path, 'the feature');
    // A tag with the branch's name, at the base: `git merge feature` would take the tag.
    await gitIn(worktree.path, 'tag', 'feature', worktree.base);
    const mainBefore = await gitIn(repo, 'rev-parse', 'main');
    const result = await mergeWorktree({ agent: 'w1', worktree, dir: worktrees });
    assert.equal(result.commits, 1);
    assert.equal(result.commit, await gitIn(repo, 'rev-parse', 'refs/heads/main'));
    assert.notEqual(result.commit, mainBefore, 'main moved');
    await gitIn(repo, 'merge-base', '--is-ancestor', head, 'refs/heads/main');
    assert.equal(readFileSync(join(repo, 'feature.txt'), 'utf8'), 'from the worker\n');
  });

  it('refuses to merge into a name that is a branch and a tag', async () => {
    const { worktree } = await spawnWorktree('w2');
    writeFileSync(join(worktree.path, 'w2.txt'), 'w2\n');
    await commitAll(worktree.path, 'w2 work');
    await gitIn(repo, 'branch', 'stable', worktree.base);
    await gitIn(repo, 'tag', 'stable', worktree.base);
    const before = await refs();
    await assert.rejects(mergeWorktree({ agent: 'w2', worktree, into: 'stable', dir: worktrees }), refusedWith('CMUX_ERR_REF_AMBIGUOUS'));
    await assert.rejects(previewMerge({ agent: 'w2', worktree, into: 'stable' }), refusedWith('CMUX_ERR_REF_AMBIGUOUS'));
    assert.equal(await refs(), before);
  });

  it('fails a merge that git reports done while the target lacks the worker\'s head', async () => {
    const { worktree } = await spawnWorktree('w3');
    writeFileSync(join(worktree.path, 'w3.txt'), 'w3\n');
    await commitAll(worktree.path, 'w3 work');
    // A hook that puts main back where it was: git says the merge succeeded, main lacks the work.
    const hook = join(repo, '.git', 'hooks', 'post-merge');
    writeFileSync(hook, '#!/bin/sh\ngit reset --quiet --hard HEAD~1\n', { mode: 0o755 });
    try {
      await assert.rejects(mergeWorktree({ agent: 'w3', worktree, dir: worktrees }), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'CMUX_ERR_MERGE_NOT_APPLIED', error.message);
        assert.match(error.message, /main is at [0-9a-f]{12}, which does not hold cmux\/w3 at [0-9a-f]{12}/);
        return true;
      });
    } finally {
      rmSync(hook);
    }
  });
});
