import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { apiClient } from '../helpers/api.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { createCluster, type ClusterHost, type TestCluster } from '../helpers/cluster.ts';
import { commitAll, gitIn, makeRepo } from '../helpers/git-repo.ts';
import { screenshotFile } from '../helpers/screenshots.ts';
import { eventually } from '../helpers/tmux.ts';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

type Listed = { id: string; status: string; host?: string };

// Every action on another host's agent, from A's CLI and A's API, and one dashboard for both
// hosts in a real Chromium: two cmux hosts joined through a real nats-server, shared by every case.
describe('cluster: every action from any host, one dashboard for all hosts', { timeout: 600_000 }, () => {
  let cluster: TestCluster;
  let a: ClusterHost;
  let b: ClusterHost;
  let api: ReturnType<typeof apiClient>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let repo: string;
  const listed = async () => (await api.call<Listed[]>('GET', '/api/agents')).body;
  const statusOn = async (id: string) => (await listed()).find((x) => x.id === id)?.status;
  const screenOf = async (id: string) => String((await a.cli(['terminal', id, '-n', '60'])).stdout);
  const count = (text: string, part: string) => text.split(part).length - 1;
  const send = async (id: string, text: string) => assert.equal((await api.call('POST', `/api/agents/${encodeURIComponent(id)}/message`, { text })).status, 202);

  before(async () => {
    [cluster, browser] = await Promise.all([createCluster(['a', 'b']), launchBrowser()]);
    a = cluster.hosts.a!;
    b = cluster.hosts.b!;
    api = apiClient(a);
    repo = join(b.base, 'repo');
    mkdirSync(repo);
    await makeRepo(repo);
  });
  after(async () => {
    await browser?.close();
    await cluster?.cleanup();
  });

  it("answers, interrupts, types keys into, diffs, merges and kills B's agents from A's CLI and A's API", async () => {
    const spawned = await api.call<{ id: string; host: string }>('POST', '/api/agents', { name: 'w1', host: 'b', command: b.demo('w1'), worktree: true, cwd: repo });
    assert.equal(spawned.status, 201, JSON.stringify(spawned.body));
    assert.equal(spawned.body.id, 'w1@b');
    await eventually(() => statusOn('w1@b'), (s) => s === 'idle', 60_000);

    // A dialog, shown and answered from A's CLI, then one answered through A's API.
    await send('w1@b', 'please ask permission to deploy');
    await eventually(() => statusOn('w1@b'), (s) => s === 'waiting', 30_000);
    const shown = await a.cli(['answer', 'w1@b']);
    assert.equal(shown.exitCode, 0, String(shown.stderr));
    assert.match(String(shown.stdout), /^Do you want to deploy\? \(y\/n\)\n {2}1\. y\n {2}2\. n/);
    const answered = await a.cli(['answer', 'w1@b', 'y', '--question', 'Do you want to deploy? (y/n)']);
    assert.equal(answered.exitCode, 0, String(answered.stderr));
    await eventually(() => screenOf('w1@b'), (t) => count(t, 'permission granted') === 1, 30_000);
    await send('w1@b', 'ask permission first');
    const dialog = await eventually(async () => (await api.call<{ dialog: { question: string } | null }>('GET', '/api/agents/w1@b/dialog')).body.dialog, (d) => d !== null, 30_000);
    const stale = await api.call<{ code: string }>('POST', '/api/agents/w1@b/answer', { choice: 'y', question: 'Delete everything?' });
    assert.equal(stale.status, 409, JSON.stringify(stale.body));
    assert.equal(stale.body.code, 'CMUX_ERR_NO_DIALOG');
    const viaApi = await api.call<{ id: string }>('POST', '/api/agents/w1@b/answer', { choice: 'n', question: dialog!.question });
    assert.equal(viaApi.status, 202, JSON.stringify(viaApi.body));
    assert.equal(viaApi.body.id, 'w1@b');
    await eventually(() => screenOf('w1@b'), (t) => t.includes('Permission denied'), 30_000);

    // A long turn, interrupted from A's CLI, then from A's API.
    for (const via of ['cli', 'api']) {
      await send('w1@b', 'sleep 60');
      await eventually(() => statusOn('w1@b'), (s) => s === 'busy', 30_000);
      if (via === 'cli') {
        const interrupted = await a.cli(['interrupt', 'w1@b']);
        assert.equal(interrupted.exitCode, 0, String(interrupted.stderr));
      } else {
        assert.equal((await api.call('POST', '/api/agents/w1@b/interrupt')).status, 202);
      }
      await eventually(() => screenOf('w1@b'), (t) => count(t, 'Interrupted by user') === (via === 'cli' ? 1 : 2), 30_000);
      await eventually(() => statusOn('w1@b'), (s) => s === 'idle', 30_000);
    }

    // Keys from A's dashboard route reach B's pane; B refuses what it would refuse from its own.
    const keys = await api.call('POST', '/api/agents/w1@b/keys', { keys: [{ text: 'typed from a' }, { key: 'Enter' }] });
    assert.equal(keys.status, 202, JSON.stringify(keys.body));
    await eventually(async () => b.received('w1'), (r) => r.includes('typed from a'), 30_000);
    const badKey = await api.call<{ code: string; error: string }>('POST', '/api/agents/w1@b/keys', { keys: [{ key: 'send-keys' }] });
    assert.equal(badKey.status, 400, JSON.stringify(badKey.body));

    // Work committed in B's worktree: diffed and merged from A, a commit by the CLI, one by the API.
    const worktree = join(b.home, 'worktrees', 'w1');
    writeFileSync(join(worktree, 'from-b.txt'), 'made on b\n');
    await commitAll(worktree, 'work done on b');
    const stat = await a.cli(['diff', 'w1@b', '--stat']);
    assert.equal(stat.exitCode, 0, String(stat.stderr));
    assert.match(String(stat.stdout), /from-b\.txt/);
    const diff = await api.call<{ branch: string; files: Array<{ path: string }> }>('GET', '/api/agents/w1@b/diff');
    assert.equal(diff.status, 200, JSON.stringify(diff.body));
    assert.deepEqual(diff.body.files.map((f) => f.path), ['from-b.txt']);
    const dry = await a.cli(['merge', 'w1@b', '--dry-run']);
    assert.equal(dry.exitCode, 0, String(dry.stderr));
    assert.match(String(dry.stdout), /would merge 1 commit\(s\) of cmux\/w1 into main/);
    const mergedByCli = await a.cli(['merge', 'w1@b']);
    assert.equal(mergedByCli.exitCode, 0, String(mergedByCli.stderr));
    assert.equal(readFileSync(join(repo, 'from-b.txt'), 'utf8'), 'made on b\n');
    writeFileSync(join(worktree, 'second.txt'), 'more from b\n');
    await commitAll(worktree, 'more work on b');
    const preview = await api.call<{ commitCount: number }>('GET', '/api/agents/w1@b/merge-preview');
    assert.equal(preview.body.commitCount, 1, JSON.stringify(preview.body));
    const mergedByApi = await api.call<{ commits: number; into: string }>('POST', '/api/agents/w1@b/merge', {});
    assert.equal(mergedByApi.status, 200, JSON.stringify(mergedByApi.body));
    assert.equal(mergedByApi.body.into, 'main');
    assert.equal(await gitIn(repo, 'log', '-1', '--format=%s', '--', 'second.txt'), 'more work on b');

    // Killed from A's CLI (its work merged: no --force needed), and another from A's API.
    const other = await a.cli(['spawn', 'w2', '--host', 'b', '--command', b.demo('w2')]);
    assert.equal(other.exitCode, 0, String(other.stderr));
    const killed = await a.cli(['kill', 'w1@b']);
    assert.equal(killed.exitCode, 0, String(killed.stderr));
    assert.match(String(killed.stdout), /killed w1@b/);
    const killedByApi = await api.call<{ id: string }>('DELETE', '/api/agents/w2@b');
    assert.equal(killedByApi.status, 200, JSON.stringify(killedByApi.body));
    assert.equal(killedByApi.body.id, 'w2@b');
    const onB = JSON.parse(String((await b.cli(['agents', '--json'])).stdout)) as Listed[];
    assert.deepEqual(onB.map((x) => x.id).filter((id) => id.startsWith('w')), []);
    await eventually(listed, (list) => !list.some((x) => x.id === 'w1@b' || x.id === 'w2@b'), 30_000);

    // Odd targets: a host the cluster does not have, a name that cannot be one, an agent B lacks.
    const noHost = await api.call<{ code: string }>('POST', '/api/agents/w1@nohost/interrupt');
    assert.equal(noHost.body.code, 'CMUX_ERR_NOT_IN_CLUSTER', JSON.stringify(noHost.body));
    const odd = await api.call<{ code: string }>('GET', `/api/agents/${encodeURIComponent('w1@../b')}/diff`);
    assert.ok(odd.status >= 400 && odd.status < 500, JSON.stringify(odd.body));
    const badHost = await api.call<{ code: string }>('POST', '/api/agents', { name: 'x', host: 'B!' });
    assert.equal(badHost.status, 400, JSON.stringify(badHost.body));
    const unknownHost = await api.call<{ code: string }>('POST', '/api/agents', { name: 'x', host: 'nohost' });
    assert.equal(unknownHost.body.code, 'CMUX_ERR_NOT_IN_CLUSTER', JSON.stringify(unknownHost.body));
    const nobody = await a.cli(['interrupt', 'nobody@b']);
    assert.notEqual(nobody.exitCode, 0);
    assert.match(String(nobody.stderr), /nobody/);
  });

  it("spawns on B from A's dashboard, names each agent's host, filters by host in the address, and streams B's terminal live", async () => {
    page = await (await browser.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const url = /dashboard: (\S+)/.exec(String((await a.cli(['open'])).stdout))![1]!;
    await page.goto(url);
    await page.locator('[data-connection="live"]').waitFor();
    await page.locator('[data-card="supervisor@b"] [data-host="b"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-card="supervisor"] [data-host="a"]').waitFor();

    await page.getByLabel('worker name').fill('wd');
    await page.getByLabel('host to spawn on').selectOption('b');
    await page.getByRole('button', { name: 'Spawn' }).click();
    // The new worker is selected: its row names its host, its terminal streams from B.
    await page.locator('[data-agent="wd@b"] [data-host="b"]').waitFor({ timeout: 60_000 });
    await eventually(async () => JSON.parse(String((await b.cli(['agents', '--json'])).stdout)) as Listed[], (list) => list.some((x) => x.id === 'wd'), 30_000);
    const terminal = page.getByTestId('terminal');
    await eventually(async () => (await terminal.getAttribute('data-text')) ?? '', (t) => t.includes('cmux demo agent · wd'), 60_000);
    await send('wd@b', 'live from a');
    await eventually(async () => (await terminal.getAttribute('data-text')) ?? '', (t) => t.includes('Done: received 11 bytes'), 30_000);
    // Typed into B's pane from A's interactive terminal (wd runs B's configured agent, which
    // records as the supervisor's).
    await page.getByRole('button', { name: 'Type into terminal' }).click();
    await page.locator('[data-testid="terminal"][data-interactive="true"]').waitFor();
    await page.keyboard.type('keys from the page');
    await page.keyboard.press('Enter');
    await eventually(async () => b.received('supervisor'), (r) => r.includes('keys from the page'), 30_000);
    await page.getByRole('button', { name: 'Leave terminal' }).click();

    // Its card on the overview: host named, last lines pushed from B.
    await page.getByRole('button', { name: '← Overview' }).click();
    await page.locator('[data-card="wd@b"] [data-host="b"]').waitFor();
    await eventually(async () => (await page.locator('[data-preview="wd@b"]').textContent()) ?? '', (t) => t.includes('keys from the page'), 30_000);
    // Its dialog, read again as its pushed lines change, answered on the card.
    await send('wd@b', 'ask permission to ship');
    const dialog = page.locator('[data-card="wd@b"]').getByRole('region', { name: 'dialog' });
    await dialog.locator('[data-question="Do you want to ship? (y/n)"]').waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'y', exact: true }).click();
    await page.locator('[data-notice-for="wd@b"]').filter({ hasText: 'Answered “y”' }).waitFor({ timeout: 30_000 });
    await eventually(() => screenOf('wd@b'), (t) => t.includes('permission granted'), 30_000);

    // The host filter: kept in the address, and by a reload.
    await page.screenshot({ path: screenshotFile('cluster-overview') });
    await page.getByLabel('show host').selectOption('b');
    await eventually(async () => page.evaluate('location.hash') as Promise<string>, (h) => h.endsWith('?host=b'), 10_000);
    const cards = () => page.locator('[data-card]').evaluateAll((els) => els.map((e) => e.getAttribute('data-card')).sort());
    await eventually(cards, (ids) => ids.join() === 'supervisor@b,wd@b', 10_000);
    await page.reload();
    await page.locator('[data-card="wd@b"]').waitFor();
    assert.deepEqual(await cards(), ['supervisor@b', 'wd@b']);
    assert.equal(await page.getByLabel('show host').inputValue(), 'b');
  });

  it("shows each host's PM2 apps and health in the system view, and has no serious accessibility violations there or on the overview", async () => {
    await page.getByRole('button', { name: 'System' }).click();
    assert.match(await page.evaluate('location.hash') as string, /^#\/system\?host=b$/);
    await page.locator('[data-system-host="b"] tr[data-app="cmux-router"] [data-process-status="online"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('[data-system-host="a"]').count(), 0, 'the filter shows b alone');
    await page.getByLabel('show host').selectOption('');
    for (const host of ['a', 'b']) await page.locator(`[data-system-host="${host}"] tr[data-app="cmux-server"] [data-process-status="online"]`).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: screenshotFile('cluster-system'), fullPage: true });
    assert.match((await page.locator('[data-system-host="b"] [data-host-health]').getAttribute('data-host-health')) ?? '', /^(healthy|degraded)$/);

    const violations = async (parts: string[]) => {
      await page.addScriptTag({ content: AXE });
      return (await page.evaluate(`(async () => {
        const result = await axe.run({ include: ${JSON.stringify(parts.map((p) => [p]))} }, { resultTypes: ['violations'] });
        return { passed: result.passes.map((r) => r.id), violations: result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + n.failureSummary) })) };
      })()`)) as { passed: string[]; violations: unknown[] };
    };
    for (const theme of ['dark', 'light']) {
      await page.evaluate(`localStorage.setItem('cmux-theme', '${theme}')`);
      await page.evaluate(`history.replaceState(null, '', '#/system')`);
      await page.reload();
      await page.locator('[data-system-host="b"] tr[data-app="cmux-server"]').waitFor({ timeout: 30_000 });
      const system = await violations(['nav', '.system-view']);
      assert.ok(system.passed.includes('color-contrast'), system.passed.join(' '));
      assert.deepEqual(system.violations, [], `${theme}: ${JSON.stringify(system.violations, null, 1)}`);
      await page.evaluate(`history.replaceState(null, '', '#/agents')`);
      await page.reload();
      await page.locator('[data-card="wd@b"] [data-host="b"]').waitFor();
      const overview = await violations(['.overview', 'aside.agents']);
      assert.ok(overview.passed.includes('color-contrast') && overview.passed.includes('select-name'), overview.passed.join(' '));
      assert.deepEqual(overview.violations, [], `${theme}: ${JSON.stringify(overview.violations, null, 1)}`);
    }
  });
});
