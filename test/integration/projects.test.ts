import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { apiClient } from '../helpers/api.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { makeRepo } from '../helpers/git-repo.ts';
import { createInstance, type TestInstance } from '../helpers/instance.ts';
import { screenshotFile } from '../helpers/screenshots.ts';
import { eventually } from '../helpers/tmux.ts';

interface Agent {
  id: string;
  windowId: string;
  status: string;
  project: string;
}
interface Task {
  id: number;
  project: string;
  title: string;
  status: string;
  assignee: string | null;
  priority: number;
}

// Two projects beside the default one, each with its supervisor, and the task board, on a
// real cmux (PM2, tmux, the demo agent).
describe('projects and the task board', { timeout: 400_000 }, () => {
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  let alpha: string;
  let beta: string;
  const agents = async (query = '') => (await api.call<Agent[]>('GET', `/api/agents${query}`)).body;
  const paneFolder = async (windowId: string) =>
    (await execa('tmux', ['-S', cmux.socket, 'display-message', '-p', '-t', windowId, '#{pane_current_path}'], { timeout: 5_000 })).stdout.trim();
  const idle = (id: string) => eventually(agents, (list) => list.some((a) => a.id === id && a.status === 'idle'), 60_000);

  before(async () => {
    cmux = await createInstance();
    api = apiClient(cmux);
    alpha = realpathSync(await makeRepo(mkdtempSync(join(cmux.base, 'alpha-'))));
    beta = realpathSync(await makeRepo(mkdtempSync(join(cmux.base, 'beta-'))));
    const start = await cmux.cli(['start']);
    assert.equal(start.exitCode, 0, String(start.stderr));
  });
  after(async () => cmux.cleanup());

  it('adds projects through the API and the CLI, each with its supervisor working in its root', async () => {
    const added = await api.call('POST', '/api/projects', { name: 'alpha', root: alpha });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.deepEqual(added.body, { name: 'alpha', root: alpha, supervisor: 'supervisor-alpha', createdAt: added.body.createdAt });
    const cli = await cmux.cli(['project', 'add', beta, '--name', 'beta', '--branch', 'main']);
    assert.equal(cli.exitCode, 0, String(cli.stderr));
    assert.match(String(cli.stdout), /added project beta .*its supervisor is supervisor-beta/);

    const listed = (await api.call<Array<{ name: string; root: string; branch?: string }>>('GET', '/api/projects')).body;
    assert.deepEqual(listed.map((p) => [p.name, p.root, p.branch]), [['default', listed[0]!.root, undefined], ['alpha', alpha, undefined], ['beta', beta, 'main']]);
    for (const [id, root] of [['supervisor-alpha', alpha], ['supervisor-beta', beta]] as const) {
      const list = await idle(id);
      assert.equal(await paneFolder(list.find((a) => a.id === id)!.windowId), root);
    }
    assert.equal((await api.call('POST', '/api/projects', { name: 'alpha', root: beta })).status, 409);
    assert.equal((await api.call('POST', '/api/projects', { name: 'again', root: alpha })).status, 409, 'one folder, one project');
  });

  it('brings a project\'s supervisor back when its window dies', async () => {
    const before = (await agents()).find((a) => a.id === 'supervisor-beta')!;
    await execa('tmux', ['-S', cmux.socket, 'kill-window', '-t', before.windowId], { timeout: 5_000 });
    const list = await eventually(agents, (l) => l.some((a) => a.id === 'supervisor-beta' && a.windowId !== before.windowId && a.status === 'idle'), 60_000);
    assert.equal(await paneFolder(list.find((a) => a.id === 'supervisor-beta')!.windowId), beta);
  });

  it('keeps each project\'s agents and messages apart', async () => {
    const a1 = await api.call<Agent>('POST', '/api/agents', { name: 'a1', project: 'alpha', task: 'hello alpha' });
    assert.equal(a1.status, 201, JSON.stringify(a1.body));
    const b1 = await cmux.cli(['spawn', 'b1', '--project', 'beta', '--task', 'hello beta']);
    assert.equal(b1.exitCode, 0, String(b1.stderr));
    assert.deepEqual((await agents('?project=alpha')).map((a) => a.id).sort(), ['a1', 'supervisor-alpha']);
    assert.deepEqual((await agents('?project=beta')).map((a) => a.id).sort(), ['b1', 'supervisor-beta']);
    assert.deepEqual((await agents('?project=default')).map((a) => a.id), ['supervisor']);
    assert.equal(await paneFolder((await agents('?project=beta')).find((a) => a.id === 'b1')!.windowId), beta);

    const alphaMessages = await eventually(
      async () => (await api.call<Array<{ to: string; subject: string }>>('GET', '/api/messages?project=alpha')).body,
      (list) => list.some((m) => m.to === 'a1'),
      30_000,
    );
    assert.ok(alphaMessages.every((m) => ['a1', 'supervisor-alpha'].includes(m.to)), JSON.stringify(alphaMessages));
    const betaMessages = (await api.call<Array<{ to: string }>>('GET', '/api/messages?project=beta')).body;
    assert.ok(betaMessages.some((m) => m.to === 'b1') && betaMessages.every((m) => m.to !== 'a1'), JSON.stringify(betaMessages));
  });

  it('runs the task board through the CLI and the API, and a worker\'s `cmux mail done` finishes its task', async () => {
    const added = await cmux.cli(['task', 'add', 'Write the parser', '--project', 'alpha', '--priority', '2', '--description', 'parse the config', '--json']);
    assert.equal(added.exitCode, 0, String(added.stderr));
    const task = JSON.parse(String(added.stdout)) as Task;
    assert.deepEqual([task.project, task.status, task.priority, task.assignee], ['alpha', 'open', 2, null]);
    const sub = await api.call<Task>('POST', '/api/tasks', { project: 'alpha', title: 'Test the parser', parent: task.id });
    assert.equal(sub.status, 201, JSON.stringify(sub.body));
    const other = await api.call<Task>('POST', '/api/tasks', { project: 'beta', title: 'Beta work' });
    assert.equal(other.status, 201);

    const shell = await api.call<Agent>('POST', '/api/agents', { name: 'shell-1', project: 'alpha' });
    assert.equal(shell.status, 201, JSON.stringify(shell.body));
    const assigned = await cmux.cli(['task', 'assign', String(task.id), 'shell-1', '--json']);
    assert.equal(assigned.exitCode, 0, String(assigned.stderr));
    assert.equal((JSON.parse(String(assigned.stdout)) as Task).status, 'assigned');
    const handed = await eventually(
      async () => (await api.call<Array<{ to: string; subject: string }>>('GET', '/api/messages?agent=shell-1')).body,
      (list) => list.some((m) => m.subject === `task #${task.id}: Write the parser`),
      30_000,
    );
    assert.ok(handed.length > 0);
    const working = await api.call<Task>('PATCH', `/api/tasks/${task.id}`, { status: 'working' });
    assert.equal(working.body.status, 'working');

    assert.deepEqual((await api.call<Task[]>('GET', '/api/tasks?project=alpha')).body.map((t) => t.title), ['Write the parser', 'Test the parser']);
    assert.deepEqual((await api.call<Task[]>('GET', '/api/tasks?status=open')).body.map((t) => t.title), ['Test the parser', 'Beta work']);

    // The worker's commands, with what its window gives it: its name in CMUX_AGENT_NAME.
    const blocked = await cmux.cli(['mail', 'blocked', 'which config format?'], { env: { CMUX_AGENT_NAME: 'shell-1' } });
    assert.match(String(blocked.stdout), new RegExp(`\\ntask #${task.id} input-required$`));
    assert.equal((await api.call<Task>('GET', `/api/tasks/${task.id}`)).body.status, 'input-required');
    const done = await cmux.cli(['mail', 'done', 'parser written'], { env: { CMUX_AGENT_NAME: 'shell-1' } });
    assert.equal(done.exitCode, 0, String(done.stderr));
    assert.match(String(done.stdout), new RegExp(`-> supervisor-alpha\\ntask #${task.id} done$`));
    const finished = await eventually(async () => (await api.call<Task>('GET', `/api/tasks/${task.id}`)).body, (t) => t.status === 'done', 30_000);
    assert.equal(finished.assignee, 'shell-1');
    const report = await eventually(
      async () => (await api.call<Array<{ from: string; to: string; subject: string }>>('GET', '/api/messages?agent=shell-1')).body,
      (list) => list.some((m) => m.from === 'shell-1'),
      30_000,
    );
    assert.equal(report.find((m) => m.from === 'shell-1')?.to, 'supervisor-alpha', 'a project worker reports to its project\'s supervisor');

    const shown = await cmux.cli(['task', 'show', String(task.id), '--json']);
    assert.equal((JSON.parse(String(shown.stdout)) as Task).status, 'done');
    const listed = await cmux.cli(['task', 'list', '--project', 'alpha']);
    assert.match(String(listed.stdout), /#\d+\s+done\s+p2 alpha\s+shell-1\s+Write the parser/);
    assert.equal((await cmux.cli(['task', 'done', String(sub.body.id)])).exitCode, 0);
    assert.equal((await api.call<Task>('GET', `/api/tasks/${sub.body.id}`)).body.status, 'done');
  });

  it('shows the board in the dashboard (Chromium), with buttons that move a task', async () => {
    const browser = await launchBrowser();
    try {
      const page = await (await browser.browser.newContext({ viewport: { width: 1400, height: 800 } })).newPage();
      const opened = await cmux.cli(['open']);
      await page.goto(/(http\S+)/.exec(String(opened.stdout))![1]!);
      await page.locator('[data-agent="a1"]').waitFor();
      await page.getByLabel('show project').selectOption('beta');
      await page.locator('[data-agent="a1"]').waitFor({ state: 'detached' });
      assert.deepEqual((await page.locator('[data-agent]').evaluateAll((els) => els.map((e) => e.getAttribute('data-agent')))).sort(), ['b1', 'supervisor-beta']);
      await page.getByRole('button', { name: 'Messages' }).click();
      await page.locator('.messages li').first().waitFor();
      for (const text of await page.locator('.messages li').allInnerTexts()) assert.match(text, /b1|supervisor-beta/);
      await page.getByLabel('show project').selectOption('');
      await page.getByRole('button', { name: 'Tasks' }).click();
      await page.locator('[data-column="done"]').getByText('Write the parser').waitFor();
      const beta = (await api.call<Task[]>('GET', '/api/tasks?project=beta')).body[0]!;
      await page.locator('[data-column="open"]').getByText('Beta work').waitFor();
      await page.getByLabel(`move #${beta.id} on`).click();
      await page.locator('[data-column="assigned"]').getByText('Beta work').waitFor();
      assert.equal((await api.call<Task>('GET', `/api/tasks/${beta.id}`)).body.status, 'assigned');
      await page.getByLabel('new task').fill('Review the parser');
      await page.getByRole('button', { name: 'Add' }).click();
      await page.locator('[data-column="open"]').getByText('Review the parser').waitFor();
      await page.getByLabel('board project').selectOption('alpha');
      await page.locator('[data-task]').first().waitFor();
      await eventually(async () => page.locator('[data-column] [data-task]').allInnerTexts(), (cards) => cards.every((c) => c.includes('alpha')), 10_000);
      await page.getByLabel('board project').selectOption('');
      await page.locator('[data-column="open"]').getByText('Review the parser').waitFor();
      await page.screenshot({ path: screenshotFile('task-board'), fullPage: true });
    } finally {
      await browser.close();
    }
  });

  it('gives what a project\'s supervisor spawns and adds its own project', async () => {
    const asSupervisor = { env: { CMUX_AGENT_NAME: 'supervisor-alpha' } };
    const spawned = await cmux.cli(['spawn', 'a2', '--no-wait'], asSupervisor);
    assert.equal(spawned.exitCode, 0, String(spawned.stderr));
    assert.equal((await agents()).find((a) => a.id === 'a2')?.project, 'alpha');
    const added = await cmux.cli(['task', 'add', 'Document the parser', '--json'], asSupervisor);
    assert.equal((JSON.parse(String(added.stdout)) as Task).project, 'alpha');
  });

  it('refuses to remove a project with agents unless forced, and then takes its agents with it', async () => {
    const refused = await api.call<{ error: string }>('DELETE', '/api/projects/alpha');
    assert.equal(refused.status, 409);
    assert.match(refused.body.error, /the project alpha has agents: .*a1/);
    const removed = await api.call<{ killed: string[] }>('DELETE', '/api/projects/alpha?force=true');
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    assert.deepEqual(removed.body.killed.sort(), ['a1', 'a2', 'shell-1', 'supervisor-alpha']);
    assert.ok(!(await agents()).some((a) => ['a1', 'a2', 'shell-1', 'supervisor-alpha'].includes(a.id)));

    const cliRefused = await cmux.cli(['project', 'remove', 'beta']);
    assert.notEqual(cliRefused.exitCode, 0);
    assert.match(String(cliRefused.stderr), /the project beta has agents: b1/);
    assert.equal((await cmux.cli(['project', 'remove', 'beta', '--force'])).exitCode, 0);
    assert.deepEqual((await api.call<Array<{ name: string }>>('GET', '/api/projects')).body.map((p) => p.name), ['default']);
    rmSync(alpha, { recursive: true, force: true });
  });
});
