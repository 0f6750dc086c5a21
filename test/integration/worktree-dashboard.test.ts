import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { apiClient } from '../helpers/api.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { commitAll, gitIn, makeRepo } from '../helpers/git-repo.ts';
import { createInstance, type TestInstance } from '../helpers/instance.ts';
import { screenshotFile } from '../helpers/screenshots.ts';
import { eventually } from '../helpers/tmux.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

// The browser's notification API as a recorder (a headless browser shows none), and a switch
// that makes the page believe it is hidden.
const FAKE_NOTIFICATIONS = `
  window.__notified = [];
  window.__hidden = false;
  Object.defineProperty(document, 'hidden', { get: () => window.__hidden });
  window.Notification = class {
    static permission = 'default';
    static async requestPermission() { window.Notification.permission = 'granted'; return 'granted'; }
    constructor(title, options) { window.__notified.push({ title, body: options?.body }); }
  };
`;

describe('a worker\'s changes and the attention badge in the dashboard, in a real Chromium', { timeout: 300_000 }, () => {
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let repo: string;
  const shot = (name: string) => page.screenshot({ path: screenshotFile(name), fullPage: true });
  // axe-core's serious and critical findings in one part of the page.
  const seriousViolations = async (part: string) => {
    await page.addScriptTag({ path: AXE });
    return (await page.evaluate(`axe.run({ include: [[${JSON.stringify(part)}]] }, { resultTypes: ['violations'] }).then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id + ': ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' ' + n.failureSummary).join(' | ')))`)) as string[];
  };

  before(async () => {
    cmux = await createInstance();
    api = apiClient(cmux);
    repo = await makeRepo(join(cmux.base, 'repo'));
    const start = await cmux.cli(['start']);
    assert.equal(start.exitCode, 0, String(start.stderr));
    browser = await launchBrowser();
    const context = await browser.browser.newContext({ viewport: { width: 1280, height: 1000 } });
    await context.addInitScript(FAKE_NOTIFICATIONS);
    page = await context.newPage();
    // The dashboard logs in with the one-time URL `cmux open` prints.
    const open = await cmux.cli(['open']);
    assert.equal(open.exitCode, 0, String(open.stderr));
    await page.goto(/dashboard: (\S+)/.exec(String(open.stdout))![1]!);
    await page.locator('[data-agent="supervisor"]').waitFor();
  });
  after(async () => {
    await browser?.close();
    await cmux?.cleanup();
  });

  it('spawns a worker in its own worktree from the form', async () => {
    await page.getByLabel('worker name').fill('w1');
    await page.getByText('own git worktree').click();
    await page.getByLabel('repository').fill(repo);
    await page.getByLabel('branch').fill('feature/page');
    await page.getByRole('button', { name: 'Spawn' }).click();
    await page.locator('[data-agent="w1"] [data-status="idle"]').waitFor({ timeout: 30_000 });
    const w1 = (await api.call<Array<{ id: string; worktree?: { branch: string; repo: string } }>>('GET', '/api/agents')).body.find((a) => a.id === 'w1');
    assert.equal(w1?.worktree?.branch, 'feature/page');
    assert.equal(w1?.worktree?.repo, repo);
  });

  it('badges an agent that waits, counts it in the title, and notifies once the person opted in', async () => {
    // The supervisor finished its first turn (reading its role), which it is marked for: looking at it clears that.
    await page.locator('[data-agent="supervisor"]').click();
    await page.getByRole('button', { name: 'browser notifications' }).click();
    await page.locator('[aria-pressed="true"]').waitFor();
    await page.evaluate('window.__hidden = true');
    assert.equal((await api.call('POST', '/api/agents/w1/message', { text: 'please ask permission to write' })).status, 202);
    await page.locator('[data-agent="w1"] [data-attention="waiting"]').waitFor({ timeout: 20_000 });
    await page.locator('[data-attention-count="1"]').waitFor();
    assert.equal(await page.title(), '(1) cmux');
    const notified = await eventually(async () => (await page.evaluate('window.__notified')) as Array<{ title: string; body: string }>, (n) => n.length > 0);
    assert.deepEqual(notified, [{ title: 'cmux: w1', body: 'w1 is waiting for your answer' }]);
    await page.evaluate('window.__hidden = false');
    await shot('attention');
  });

  it('shows the worker\'s changed files and its patch with syntax colour; looking at it clears the count', async () => {
    const path = join(cmux.home, 'worktrees', 'w1');
    writeFileSync(join(path, 'src', 'app.ts'), "export const answer = 42;\n\n// Every token kind a patch colours: keyword, number, string, comment, title.\nexport function ask(question: string): number {\n  return question.length > 0 ? answer : 'none'.length;\n}\n");
    await commitAll(path, 'ask');
    writeFileSync(join(path, 'src', 'notes.md'), '# notes\n\n- new, not committed\n');
    await page.locator('[data-agent="w1"]').click();
    const diff = page.getByTestId('diff');
    await diff.locator('[data-file="src/app.ts"][data-file-status="modified"]').waitFor();
    await diff.locator('[data-file="src/notes.md"][data-file-status="added"]').waitFor();
    assert.equal(await diff.locator('.d2h-file-wrapper').count(), 2, 'diff2html drew both files');
    assert.ok((await diff.locator('.d2h-ins').count()) >= 4, 'added lines are marked');
    assert.ok((await diff.locator('.hljs-keyword').count()) >= 2, 'the TypeScript is coloured');
    await page.waitForFunction('document.title === "cmux"');
    assert.equal(await page.locator('[data-attention-count]').count(), 0);
    await diff.scrollIntoViewIfNeeded();
    await shot('worktree-diff');
    // Readable in both themes: axe finds no contrast failure (or any serious one) in the drawn patch (issue 26, finding 11).
    for (const theme of ['light', 'dark']) {
      await page.getByLabel('switch theme').click();
      await page.waitForFunction(`document.documentElement.dataset.theme === '${theme}'`);
      await diff.locator(theme === 'dark' ? '.d2h-dark-color-scheme' : '.d2h-light-color-scheme').first().waitFor();
      assert.deepEqual(await seriousViolations('[data-testid="diff"]'), [], theme);
    }
  });

  it('merges from the page after a confirmation that names what stays behind; kills a worker with uncommitted work only when asked twice, in the page\'s words', async () => {
    // The confirmation comes from the merge preview: the commit it takes, the file it leaves (issue 26, finding 7).
    await page.getByRole('button', { name: 'Merge' }).click();
    const confirm = page.getByRole('dialog', { name: 'Merge feature/page into main?' });
    await confirm.locator('[data-merge-commits="1"]').waitFor();
    await confirm.locator('.merge-commits li', { hasText: /^[0-9a-f]{10} ask$/ }).waitFor();
    await confirm.locator('[data-uncommitted="src/notes.md"]', { hasText: 'untracked' }).waitFor();
    await shot('merge-confirm');
    assert.deepEqual(await seriousViolations('.merge-dialog'), []);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Merge', 'the focus goes back to the Merge button');
    assert.doesNotMatch(await gitIn(repo, 'log', '-1', '--format=%s'), /^Merge feature\/page/, 'cancelled: nothing merged');

    await page.getByRole('button', { name: 'Merge' }).click();
    await confirm.getByRole('button', { name: 'Merge', exact: true }).click();
    const merged = page.locator('.notice', { hasText: 'merged 1 commit(s) into main' });
    await merged.waitFor();
    assert.match((await merged.textContent()) ?? '', /left behind, not committed: src\/notes\.md \(untracked\)/);
    assert.match(await gitIn(repo, 'log', '-1', '--format=%s'), /^Merge feature\/page \(agent w1\) into main$/);

    const asked: string[] = [];
    const answer = (accept: (message: string) => boolean) => {
      page.removeAllListeners('dialog');
      page.on('dialog', (dialog) => {
        asked.push(dialog.message());
        void (accept(dialog.message()) ? dialog.accept() : dialog.dismiss());
      });
    };
    answer((message) => message.startsWith('Kill w1?'));
    await page.getByRole('button', { name: 'Kill' }).click();
    await page.locator('.notice', { hasText: 'not killed' }).waitFor();
    assert.equal(asked.length, 2);
    assert.match(asked[1]!, /^w1 has uncommitted files in .*: src\/notes\.md \(untracked\)\. To keep it, cancel and press Merge \(it can commit the files first\)\.\n\nKill anyway\? Its branch stays; its worktree folder goes, with the uncommitted files\.$/);
    assert.doesNotMatch(asked[1]!, /cmux |--/, 'no CLI command or flag on the page');
    assert.ok(existsSync(join(cmux.home, 'worktrees', 'w1')));

    // Merged with the offer taken: the file is committed on the branch first, then merged.
    page.removeAllListeners('dialog');
    await page.getByRole('button', { name: 'Merge' }).click();
    await confirm.locator('[data-merge-commits="0"]').waitFor();
    await confirm.getByLabel('commit them on feature/page first, then merge').check();
    await confirm.getByLabel('commit message').fill('notes from w1');
    await confirm.getByRole('button', { name: 'Commit and merge' }).click();
    await page.locator('.notice', { hasText: /^merged 1 commit\(s\) into main; first committed 1 file\(s\) on feature\/page as [0-9a-f]{10}$/ }).waitFor();
    assert.equal(await gitIn(repo, 'show', 'main:src/notes.md'), '# notes\n\n- new, not committed');
    assert.match(await gitIn(repo, 'log', '-1', '--format=%s', 'feature/page'), /^notes from w1$/);

    answer(() => true);
    await page.getByRole('button', { name: 'Kill' }).click();
    await page.locator('[data-agent="w1"]').waitFor({ state: 'detached', timeout: 15_000 });
    assert.equal(asked.length, 3, 'nothing left to lose: asked once');
    // The row goes when the registry drops w1, which the push can bring before the kill ends.
    await eventually(async () => existsSync(join(cmux.home, 'worktrees', 'w1')), (exists) => !exists, 15_000);
    assert.match(await gitIn(repo, 'branch', '--list', 'feature/page'), /feature\/page/);
  });
});

