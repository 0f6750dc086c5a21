import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { agentDiff, createAgent, killAgent } from '../../apps/agents/index.ts';
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
    assert.match(String(killed.stderr), /w1 has uncommitted changes in .* and 1 commit\(s\) on cmux\/w1 merged nowhere: `cmux merge w1` first, or kill with --force/);
    const refused = await api.call<{ code: string }>('DELETE', '/api/agents/w1');
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'CMUX_ERR_UNMERGED_WORK');
    assert.equal((await agent('w1'))?.status, 'idle', 'the worker is untouched');
  });

  it('merges a worker\'s branch cleanly into the main checkout\'s branch, then kills it without --force', async () => {
    const path = join(cmux.home, 'worktrees', 'w1');
    const before = await mainCheckout();
    const merged = await cmux.cli(['merge', 'w1']);
    assert.equal(merged.exitCode, 0, String(merged.stderr));
    assert.match(String(merged.stdout), /merged 1 commit\(s\) of cmux\/w1 into main/);
    assert.match(String(merged.stdout), /note: w1 has uncommitted changes in its worktree; they were not merged/);
    assert.equal(readFileSync(join(repo, 'src', 'app.ts'), 'utf8'), 'export const answer = 42;\n');
    assert.equal(await gitIn(repo, 'log', '-1', '--format=%s'), 'Merge cmux/w1 (agent w1) into main');
    assert.equal(await gitIn(repo, 'status', '--porcelain'), '?? notes.txt', 'only the person\'s own file is uncommitted');

    await commitAll(path, 'docs and a second line');
    const again = await api.call<{ commits: number; into: string; commit: string }>('POST', '/api/agents/w1/merge', {});
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.commits, 1);
    assert.equal(await gitIn(repo, 'rev-parse', 'HEAD'), again.body.commit);
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

  it('kills with --force --keep: the worktree and the branch stay; with --force alone only the branch does', async () => {
    const before = await mainCheckout();
    const refused = await cmux.cli(['kill', 'w2']);
    assert.equal(refused.exitCode, 1);
    assert.match(String(refused.stderr), /1 commit\(s\) on feature\/w2 merged nowhere/);
    const kept = await cmux.cli(['kill', 'w2', '--force', '--keep']);
    assert.equal(kept.exitCode, 0, String(kept.stderr));
    assert.match(String(kept.stdout), /kept the worktree .*w2; branch feature\/w2 stays/);
    assert.ok(existsSync(join(cmux.home, 'worktrees', 'w2', 'README.md')));
    assert.ok(!registry().w2);

    assert.equal((await api.call('POST', '/api/agents', { name: 'w3', worktree: true, cwd: repo })).status, 201);
    const path = registry().w3!.worktree!.path;
    writeFileSync(join(path, 'scratch.txt'), 'unsaved\n');
    assert.equal((await api.call('DELETE', '/api/agents/w3?force=1&keep=0')).status, 200);
    assert.ok(!existsSync(path));
    assert.deepEqual((await branches()).filter((b) => b !== 'main' && b !== 'release'), ['cmux/w1', 'cmux/w3', 'feature/w2']);
    assert.deepEqual(await mainCheckout(), before, 'removing worktrees never touches the main checkout');
  });

  it('refuses bad input before git or tmux see it: not a repository, bad branch names and bases, path tricks', async () => {
    const windows = (await tmux('list-windows', '-a', '-F', '#{window_id}')).stdout;
    const branchesBefore = await branches();
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

    const [demo] = processesMentioning(['CMUX_AGENT_NAME=w4', cmux.base]).filter((p) => p.command.includes('demo-agent'));
    assert.ok(demo, 'the demo agent process of w4');
    process.kill(demo.pid, 'SIGKILL');
    const exited = await eventually(() => agent('w4'), (a) => a?.status === 'exited', 15_000);
    assert.equal(exited!.attention?.event, 'exited');
    const [gone] = await eventually(async () => hooksFor('w4', 'exited'), (list) => list.length > 0, 5_000);
    assert.ok(gone!.at - Date.parse(exited!.statusSince) < 2_000);
    assert.equal(hooksFor('w4', 'waiting').length, 1, 'one notification per event');
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
