import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Page, Request } from 'playwright-core';
import WebSocket from 'ws';
import { shellQuote } from '../../apps/core/src/index.ts';
import { apiClient } from '../helpers/api.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { createInstance, ROOT, type TestInstance } from '../helpers/instance.ts';
import { screenshotFile } from '../helpers/screenshots.ts';
import { eventually } from '../helpers/tmux.ts';

// A quiet stretch with the overview open: the old page read every card's terminal every 2 s,
// so even a short one shows polling.
const QUIET_MS = 8_000;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
// A request about one agent: its sub-routes, or the messages read for it.
const PER_AGENT = /\/api\/agents\/[^/?]+\/|[?&]agent=/;

// Running a team from the dashboard (issue 30), in a real Chromium against one real cmux (PM2,
// tmux, demo agents) shared by the cases: the overview's cards kept fresh by the WebSocket alone,
// the grid of live terminals side by side, and acting from the cards on one agent or a selection.
describe('the dashboard for a team: pushed cards, the grid, acting from the cards', { timeout: 600_000 }, () => {
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let base = '';
  const requests: string[] = [];
  // What the page asked the WebSocket for, in order.
  const subscriptions: unknown[] = [];
  const statusOf = async (id: string) => (await api.call<Array<{ id: string; status: string }>>('GET', '/api/agents')).body.find((a) => a.id === id)?.status;
  const spawnDemo = async (name: string) => {
    const demo = `${shellQuote(process.execPath)} ${shellQuote(join(ROOT, 'dist/apps/demo-agent/index.js'))}`;
    const spawned = await cmux.cli(['spawn', name, '--command', demo]);
    assert.equal(spawned.exitCode, 0, String(spawned.stderr));
  };
  // axe-core's serious and critical findings in one part of the page (axe loaded in it).
  const axeFindings = async (part: string) =>
    (await page.evaluate(
      `axe.run({ include: [[${JSON.stringify(part)}]] }, { resultTypes: ['violations'] }).then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id + ': ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' ' + n.failureSummary).join(' | ')))`,
    )) as string[];
  const card = (id: string) => page.locator(`[data-card="${id}"]`);
  const send = async (id: string, text: string) => assert.equal((await api.call('POST', `/api/agents/${id}/message`, { text })).status, 202);

  before(async () => {
    cmux = await createInstance();
    api = apiClient(cmux);
    const start = await cmux.cli(['start']);
    assert.equal(start.exitCode, 0, String(start.stderr));
    const printedUrl = /dashboard: (\S+)/.exec(String(start.stdout))![1]!;
    for (const name of ['w1', 'w2', 'w3']) await spawnDemo(name);
    await eventually(() => statusOf('w3'), (s) => s === 'idle', 30_000);
    browser = await launchBrowser();
    page = await (await browser.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('request', (request: Request) => requests.push(new URL(request.url()).pathname + new URL(request.url()).search));
    page.on('websocket', (ws) => ws.on('framesent', ({ payload }) => subscriptions.push((JSON.parse(String(payload)) as { subscribe: unknown }).subscribe)));
    base = new URL(printedUrl).origin;
    await page.goto(printedUrl);
    await page.locator('[data-connection="live"]').waitFor();
  });
  after(async () => {
    await browser?.close();
    await cmux?.cleanup();
  });

  it('keeps the cards fresh from the WebSocket: no request per agent while the overview is open, status and last lines still move', async () => {
    for (const id of ['supervisor', 'w1', 'w2', 'w3']) await page.locator(`[data-card="${id}"]`).waitFor({ timeout: 20_000 });
    // The last lines arrive with the socket, none read by the page.
    await eventually(async () => (await page.locator('[data-card="w1"] [data-preview]').textContent()) ?? '', (t) => t.trim() !== '', 20_000);
    const quietFrom = requests.length;
    // Mail between others (w1 writing to the user, and its delivery moving on) is no reason for
    // any card to read its agent's messages again.
    assert.equal((await api.call('POST', '/api/messages', { from: 'w1', to: 'user', subject: 'nothing for the cards' })).status, 202);
    await sleep(QUIET_MS);
    const quiet = requests.slice(quietFrom);
    assert.deepEqual(quiet.filter((r) => PER_AGENT.test(r)), [], `requests per agent in ${QUIET_MS} ms with the overview open: ${quiet.join(', ')}`);

    // w2 works: its card's status and last lines change, and no terminal is read for it.
    const actFrom = requests.length;
    await send('w2', 'sleep 2');
    await page.locator('[data-card="w2"] [data-status="busy"]').waitFor({ timeout: 20_000 });
    await page.locator('[data-card="w2"] [data-status="idle"]').waitFor({ timeout: 20_000 });
    await eventually(async () => (await page.locator('[data-card="w2"] [data-preview]').textContent()) ?? '', (t) => t.includes('Done: received'), 20_000);
    assert.deepEqual(requests.slice(actFrom).filter((r) => r.includes('/terminal')), [], 'no terminal read for a card');
  });

  it('shows several live terminals side by side: picked from a card and by checkbox, each with status, message box and interrupt; the address reopens it', async () => {
    // A card opens into the grid (mouse).
    await page.locator('[data-card="w1"]').getByRole('button', { name: 'Grid', exact: true }).click();
    await page.waitForURL(/#\/grid\/w1$/);
    const grid = page.getByRole('main', { name: 'grid' });
    await grid.locator('[data-cell="w1"] [data-testid="terminal"]').waitFor({ timeout: 20_000 });
    // More by checkbox: with the mouse, then with the keyboard.
    await grid.locator('[data-pick="w2"]').click();
    await grid.locator('[data-pick="w3"]').focus();
    await page.keyboard.press('Space');
    await page.waitForURL(/#\/grid\/w1,w2,w3$/);
    for (const id of ['w1', 'w2', 'w3']) {
      await eventually(async () => (await grid.locator(`[data-cell="${id}"] [data-testid="terminal"]`).getAttribute('data-text')) ?? '', (t) => t.includes(`cmux demo agent · ${id}`), 20_000);
    }
    assert.deepEqual(subscriptions.at(-1), ['w1', 'w2', 'w3'], 'the three terminals are streamed over the one socket');

    // A message typed into w2's box (keyboard), and w2 interrupted from its cell (mouse).
    const w2 = grid.locator('[data-cell="w2"]');
    await w2.getByRole('textbox', { name: 'message to w2' }).focus();
    await page.keyboard.type('sleep 30');
    await page.keyboard.press('Enter');
    await w2.locator('[data-status="busy"]').waitFor({ timeout: 20_000 });
    await w2.getByRole('button', { name: 'interrupt w2' }).click();
    await w2.locator('[data-notice-for="w2"]', { hasText: 'w2 interrupted' }).waitFor({ timeout: 20_000 });
    await w2.locator('[data-status="idle"]').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: screenshotFile('grid') });
    // On a phone the cells stack: nothing scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    const sideways = 'document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth';
    await eventually(() => page.evaluate(sideways) as Promise<number>, (px) => px <= 1, 5_000);
    await page.setViewportSize({ width: 1280, height: 900 });

    // A bookmark of a grid opens it as it was.
    const bookmarked = await page.context().newPage();
    try {
      await bookmarked.goto(`${base}/#/grid/w3,w1`);
      const cells = bookmarked.getByRole('main', { name: 'grid' }).locator('[data-cell]');
      await eventually(() => cells.evaluateAll((els) => els.map((e) => e.getAttribute('data-cell'))), (ids) => ids.join() === 'w3,w1', 20_000);
      await eventually(async () => (await cells.first().locator('[data-testid="terminal"]').getAttribute('data-text')) ?? '', (t) => t.includes('cmux demo agent · w3'), 20_000);
      // A name that runs no agent says so in its cell, and leaves by its button (keyboard).
      await bookmarked.goto(`${base}/#/grid/w1,nobody`);
      const unknown = bookmarked.locator('[data-cell="nobody"]');
      await unknown.getByRole('status').filter({ hasText: 'No agent named nobody runs now' }).waitFor({ timeout: 20_000 });
      await unknown.getByRole('button', { name: 'Remove from grid' }).focus();
      await bookmarked.keyboard.press('Enter');
      await bookmarked.waitForURL(/#\/grid\/w1$/);
    } finally {
      await bookmarked.close();
    }

    // Its name opens the agent's own view.
    await grid.locator('[data-cell="w3"]').getByRole('button', { name: 'w3', exact: true }).click();
    await page.waitForURL(/#\/agents\/w3$/);
    await page.goBack();
    await grid.locator('[data-cell="w3"]').waitFor();
  });

  it('streams the terminals a socket asks for, refuses a bad or too long list and names each unknown agent, and sends the cards\' last lines when it opens', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${cmux.port}/api/ws?token=${api.token()}`);
    const frames: Array<{ event: string; data: { id?: string; code?: string; error?: string; preview?: string } }> = [];
    ws.on('message', (raw) => frames.push(JSON.parse(String(raw))));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    try {
      const previews = await eventually(async () => frames.filter((f) => f.event === 'agent_preview').map((f) => f.data.id), (ids) => ids.length >= 4, 10_000);
      assert.deepEqual([...previews].sort(), ['supervisor', 'w1', 'w2', 'w3']);
      for (const junk of [['w1', 'w2', 'w3', 'w1', 'w2', 'w3', 'w1'], ['w1', '../x'], ['w1', 42]]) ws.send(JSON.stringify({ subscribe: junk }));
      ws.send(JSON.stringify({ subscribe: ['w1', 'nobody', 'ghost'] }));
      const errors = await eventually(async () => frames.filter((f) => f.event === 'error'), (list) => list.length >= 5, 10_000);
      assert.deepEqual(errors.slice(0, 3).map((f) => f.data.code), Array(3).fill('CMUX_ERR_BAD_REQUEST'));
      assert.match(errors[0]!.data.error ?? '', /up to 6/);
      assert.deepEqual(errors.slice(3).map((f) => f.data.error?.match(/no agent "(\w+)"/)?.[1]).sort(), ['ghost', 'nobody']);
      // The known one streams all the same; a new list replaces it.
      await eventually(async () => frames.filter((f) => f.event === 'terminal').map((f) => f.data.id), (ids) => ids.includes('w1'), 10_000);
      ws.send(JSON.stringify({ subscribe: ['w2', 'w3'] }));
      await eventually(async () => new Set(frames.filter((f) => f.event === 'terminal').map((f) => f.data.id)), (ids) => ids.has('w2') && ids.has('w3'), 10_000);
    } finally {
      ws.close();
    }
  });

  it('has no serious or critical axe-core violation in the grid and the overview, in both themes', async () => {
    await page.addScriptTag({ path: AXE });
    for (const theme of ['dark', 'light']) {
      await page.evaluate(`document.documentElement.setAttribute('data-theme', ${JSON.stringify(theme)})`);
      for (const [hash, part] of [['#/grid/w1,w2', '.grid-view'], ['#/agents', '.overview']] as const) {
        await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
        await page.locator(part).waitFor();
        await page.locator(`${part} [data-testid="terminal"], ${part} [data-preview]`).first().waitFor();
        assert.deepEqual(await axeFindings(part), [], `${theme} ${part}`);
      }
    }
  });

  it('acts where it looks: a card answers its dialog (mouse and keyboard), takes a quick message and interrupts; a selection is messaged and interrupted together', async () => {
    await page.evaluate(`location.hash = '#/agents'`);
    // A dialog answered on its card with the mouse…
    await send('w1', 'ask permission to deploy the site');
    await card('w1').locator('[data-question="Do you want to deploy the site? (y/n)"]').waitFor({ timeout: 20_000 });
    await card('w1').locator('[data-choice="y"]').click();
    await card('w1').getByRole('status').filter({ hasText: 'Answered “y” to “Do you want to deploy the site? (y/n)”' }).waitFor({ timeout: 20_000 });
    await eventually(async () => (await card('w1').locator('[data-preview]').textContent()) ?? '', (t) => t.includes('Done: permission granted'), 20_000);
    // …and with the keyboard: the focus moves to the line that says it was answered.
    await send('w3', 'ask permission to drop the table');
    await card('w3').locator('[data-question="Do you want to drop the table? (y/n)"]').waitFor({ timeout: 20_000 });
    await card('w3').locator('[data-choice="n"]').focus();
    await page.keyboard.press('Enter');
    await card('w3').getByRole('status').filter({ hasText: 'Answered “n”' }).waitFor({ timeout: 20_000 });
    assert.match((await page.evaluate('document.activeElement.textContent')) as string, /^Answered “n”/, 'the focus is on the outcome');
    await eventually(async () => (await card('w3').locator('[data-preview]').textContent()) ?? '', (t) => t.includes('Permission denied'), 20_000);

    // A quick message typed on w2's card, then an interrupt from the card.
    await card('w2').getByRole('textbox', { name: 'quick message to w2' }).focus();
    await page.keyboard.type('sleep 30');
    await page.keyboard.press('Enter');
    await card('w2').locator('[data-notice-for="w2"]', { hasText: 'sent to w2' }).waitFor({ timeout: 20_000 });
    await card('w2').locator('[data-status="busy"]').waitFor({ timeout: 20_000 });
    await card('w2').getByRole('button', { name: 'Interrupt' }).click();
    await card('w2').locator('[data-notice-for="w2"]', { hasText: 'w2 interrupted' }).waitFor({ timeout: 20_000 });
    await card('w2').locator('[data-status="idle"]').waitFor({ timeout: 30_000 });

    // w1 ticked, w3 shift-clicked: the run w1–w3 is selected; the supervisor by keyboard, and out again.
    for (const id of ['w1', 'w2', 'w3']) await card(id).locator('[data-status="idle"]').waitFor({ timeout: 30_000 });
    await card('w1').getByRole('checkbox', { name: 'select w1' }).click();
    await card('w3').getByRole('checkbox', { name: 'select w3' }).click({ modifiers: ['Shift'] });
    const bar = page.getByRole('region', { name: 'selected agents' });
    await bar.locator('[data-selected="w1,w2,w3"]').waitFor();
    await card('supervisor').getByRole('checkbox', { name: 'select supervisor' }).focus();
    await page.keyboard.press('Space');
    await bar.locator('[data-selected="supervisor,w1,w2,w3"]').waitFor();
    await page.keyboard.press('Space');
    await bar.locator('[data-selected="w1,w2,w3"]').waitFor();
    await page.addScriptTag({ path: AXE });
    assert.deepEqual(await axeFindings('.overview'), [], 'the overview with a selection');

    // One message to the three (keyboard), then one interrupt for the three (mouse).
    await bar.getByRole('textbox', { name: 'message to the selected agents' }).focus();
    await page.keyboard.type('sleep 30');
    await page.keyboard.press('Enter');
    await page.locator('[data-selection-notice]', { hasText: 'sent to 3 of 3' }).waitFor({ timeout: 20_000 });
    for (const id of ['w1', 'w2', 'w3']) await card(id).locator('[data-status="busy"]').waitFor({ timeout: 20_000 });
    assert.equal((await api.call<unknown[]>('GET', '/api/agents')).body.length, 4);
    await bar.getByRole('button', { name: 'Interrupt 3' }).click();
    await page.locator('[data-selection-notice]', { hasText: 'interrupted 3 of 3' }).waitFor({ timeout: 20_000 });
    for (const id of ['w1', 'w2', 'w3']) await card(id).locator('[data-status="idle"]').waitFor({ timeout: 30_000 });
    await bar.getByRole('button', { name: 'Clear selection' }).click();
    await bar.waitFor({ state: 'detached' });
  });

  it('is keyboard first: `?` lists the shortcuts, a skip link, and the daily moves by one key each, never while typing', async () => {
    await page.evaluate(`location.hash = '#/agents'`);
    await page.locator('.overview').waitFor();
    const url = () => new URL(page.url()).hash;
    // The address moves by pushState: read, not waited on as a navigation.
    const hashIs = (pattern: RegExp) => eventually(async () => url(), (h) => pattern.test(h), 10_000);
    // The skip link comes first on a page just opened, and goes past the tabs to the view.
    await page.reload();
    await page.locator('[data-connection="live"]').waitFor();
    await page.locator('[data-card="w3"]').waitFor();
    await page.addScriptTag({ path: AXE });
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Skip to content');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate('document.activeElement.className'), 'agents-layout', 'the focus is on the view');

    // `?` opens the list, its Close has the focus, Esc closes it and the focus goes back.
    await page.keyboard.press('?');
    const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await sheet.waitFor();
    assert.deepEqual(await sheet.locator('[data-shortcut]').evaluateAll((els) => els.map((e) => e.getAttribute('data-shortcut'))), ['j', 'k', 'o', 'n', 'm', 'i', 'a', '/', 'v', 'g', 's', '?']);
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Close');
    for (const theme of ['light', 'dark']) {
      await page.evaluate(`document.documentElement.setAttribute('data-theme', ${JSON.stringify(theme)})`);
      assert.deepEqual(await axeFindings('.shortcut-sheet'), [], `${theme} shortcut sheet`);
    }
    await page.screenshot({ path: screenshotFile('shortcuts') });
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate('document.activeElement.className'), 'agents-layout', 'the focus is back where it was');

    // Next and previous agent, in the team's order.
    await page.keyboard.press('j');
    await hashIs(/#\/agents\/supervisor$/);
    await page.keyboard.press('j');
    await hashIs(/#\/agents\/w1$/);
    await page.keyboard.press('k');
    await hashIs(/#\/agents\/supervisor$/);
    await page.keyboard.press('j');
    await hashIs(/#\/agents\/w1$/);
    // m: the message box; a letter typed there is text, not a shortcut.
    await page.keyboard.press('m');
    await eventually(() => page.evaluate('document.activeElement.getAttribute("aria-label")'), (l) => l === 'message', 10_000);
    await page.keyboard.type('sleep 30 jk');
    await page.keyboard.press('Enter');
    assert.match(url(), /#\/agents\/w1$/, 'j and k typed into the box moved nothing');
    await page.locator('.agent-view .badge.busy').waitFor({ timeout: 20_000 });
    // i: interrupt the agent looked at (the focus out of the box first).
    await page.keyboard.press('Tab');
    await page.keyboard.press('i');
    await page.locator('[data-notice-for="w1"]', { hasText: 'interrupted' }).waitFor({ timeout: 20_000 });
    await page.locator('.agent-view .badge.idle').waitFor({ timeout: 30_000 });
    // a: the first of the dialog's answers has the focus; Enter answers.
    await send('w1', 'ask permission to ship it');
    await page.locator('.agent-view [data-question="Do you want to ship it? (y/n)"]').waitFor({ timeout: 20_000 });
    await page.keyboard.press('a');
    await eventually(() => page.evaluate('document.activeElement.dataset.choice'), (c) => c === 'y', 10_000);
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Answered “y” to “Do you want to ship it? (y/n)”' }).waitFor({ timeout: 20_000 });

    // v, o: the overview, then the agent whose card has the focus.
    await page.keyboard.press('v');
    await hashIs(/#\/agents$/);
    await card('w3').getByRole('button', { name: 'Grid', exact: true }).focus();
    await page.keyboard.press('o');
    await hashIs(/#\/agents\/w3$/);
    // g, s, /, n: the grid, the system, the search, a new worker's name.
    await page.keyboard.press('g');
    await hashIs(/#\/grid/);
    await page.keyboard.press('s');
    await hashIs(/#\/system/);
    await page.keyboard.press('/');
    await hashIs(/#\/search/);
    await eventually(() => page.evaluate('document.activeElement.getAttribute("aria-label")'), (l) => l === 'search everything', 10_000);
    await page.evaluate('document.activeElement.blur()');
    await page.keyboard.press('n');
    await hashIs(/#\/agents/);
    await eventually(() => page.evaluate('document.activeElement.getAttribute("aria-label")'), (l) => l === 'worker name', 10_000);
  });

  it('searches messages, terminals, the journal and tasks in one view (keyboard and mouse); each hit opens at its place; the messages filter by agent, direction and delivery', async () => {
    const word = 'quetzal';
    await send('w1', `note the ${word} feather`);
    await eventually(async () => (await api.call<{ text: string }>('GET', '/api/agents/w1/terminal')).body.text, (t) => t.includes(word), 20_000);
    assert.equal((await api.call('POST', '/api/journal/entry', { title: `Spotted a ${word}`, content: 'in the garden' })).status, 201);
    const task = (await api.call<{ id: number }>('POST', '/api/tasks', { title: `Photograph the ${word}` })).body;
    assert.equal((await api.call('POST', '/api/messages', { from: 'w1', to: 'user', subject: 'the feather is noted' })).status, 202);
    const hashIs = (pattern: RegExp) => eventually(async () => new URL(page.url()).hash, (h) => pattern.test(h), 10_000);
    const focused = () => page.evaluate('document.activeElement.outerHTML.slice(0, 120)') as Promise<string>;

    // Keyboard: `/` opens the search with its field focused; Enter runs it, the text in the address.
    await page.evaluate(`location.hash = '#/agents'`);
    await page.locator('.overview').waitFor();
    await page.evaluate('document.activeElement.blur()');
    await page.keyboard.press('/');
    await eventually(() => page.evaluate('document.activeElement.getAttribute("aria-label")'), (l) => l === 'search everything', 10_000);
    await page.keyboard.type(word.toUpperCase());
    await page.keyboard.press('Enter');
    await hashIs(new RegExp(`#/search\\?q=${word.toUpperCase()}$`));
    const view = page.locator('.search-view');
    for (const kind of ['message', 'terminal', 'journal', 'task']) await view.locator(`[data-search-kind="${kind}"]`).waitFor({ timeout: 20_000 });
    await view.locator('[data-search-kind="message"] [data-search-agent="w1"]').waitFor();
    await view.locator('[data-search-kind="terminal"] [data-search-agent="w1"]').waitFor();
    await page.addScriptTag({ path: AXE });
    for (const theme of ['dark', 'light']) {
      await page.evaluate(`document.documentElement.setAttribute('data-theme', ${JSON.stringify(theme)})`);
      assert.deepEqual(await axeFindings('.search-view'), [], `${theme} search view`);
    }
    await page.evaluate(`document.documentElement.setAttribute('data-theme', 'dark')`);
    await page.screenshot({ path: screenshotFile('search') });

    // Mouse: the task opens on the board, marked and focused.
    await view.locator('[data-search-kind="task"] button').first().click();
    await hashIs(new RegExp(`#/tasks\\?task=${task.id}$`));
    await eventually(focused, (html) => html.includes(`data-task="${task.id}"`), 10_000);
    // Keyboard: back to the results (the address reruns the search), the journal's hit by Enter.
    await page.goBack();
    await view.locator('[data-search-kind="journal"] button').first().focus();
    await page.keyboard.press('Enter');
    await hashIs(/#\/system\?date=\d{4}-\d{2}-\d{2}$/);
    await page.locator('.system-view .journal').getByText(`Spotted a ${word}`).waitFor({ timeout: 20_000 });
    await page.goBack();
    // The live terminal's hit opens w1's view; the message's opens it marked in its conversation.
    // The terminal shows the hit's line (found in its buffer, selected), not only its end.
    await view.locator('[data-search-kind="terminal"] [data-search-agent="w1"] button').first().click();
    await hashIs(new RegExp(`#/agents/w1\\?find=${word}&up=\\d+$`));
    await eventually(async () => (await page.locator('.agent-view [data-testid="terminal"]').getAttribute('data-found')) ?? '', (line) => line.includes(`note the ${word} feather`), 20_000);
    await page.goBack();
    // A page and more of newer messages: the hit is found by paging back to it.
    for (let i = 0; i < 55; i++) assert.equal((await api.call('POST', '/api/messages', { from: 'w1', to: 'user', subject: `filler ${i}` })).status, 202);
    await eventually(async () => (await api.call<unknown[]>('GET', '/api/messages?agent=w1&limit=500')).body.length, (n) => n >= 57, 20_000);
    await view.locator('[data-search-kind="message"] [data-search-agent="w1"] button').first().click();
    await hashIs(/#\/messages\?agent=w1&at=/);
    const marked = page.locator('.messages-view li.marked');
    await marked.waitFor({ timeout: 20_000 });
    assert.match(await marked.innerText(), new RegExp(word));
    await eventually(focused, (html) => html.includes('class="marked"'), 10_000);

    // The filters, in the address: from w1 only, then to w1 and delivered.
    const filters = page.getByRole('form', { name: 'filter messages' });
    await filters.getByLabel('direction').selectOption('out');
    await hashIs(/#\/messages\?agent=w1&direction=out$/);
    await eventually(() => page.locator('.messages-view .messages li b:first-of-type').allInnerTexts(), (from) => from.length > 0 && from.every((f) => f === 'w1'), 20_000);
    await filters.getByLabel('direction').selectOption('in');
    await filters.getByLabel('delivery').selectOption('delivered');
    await hashIs(/#\/messages\?agent=w1&direction=in&status=delivered$/);
    await eventually(() => page.locator('.messages-view .messages li').allInnerTexts(), (lines) => lines.length > 0 && lines.every((l) => /→ w1:/.test(l) && /\(delivered\)/.test(l)), 20_000);
    const reopened = await page.context().newPage();
    try {
      await reopened.goto(`${base}/#/messages?agent=w1&direction=in&status=dead`);
      await reopened.getByText('No message matches these filters.').waitFor({ timeout: 20_000 });
      assert.equal(await reopened.getByRole('form', { name: 'filter messages' }).getByLabel('delivery').inputValue(), 'dead');
    } finally {
      await reopened.close();
    }
    await page.addScriptTag({ path: AXE });
    for (const theme of ['light', 'dark']) {
      await page.evaluate(`document.documentElement.setAttribute('data-theme', ${JSON.stringify(theme)})`);
      assert.deepEqual(await axeFindings('.messages-view'), [], `${theme} messages view with filters`);
    }

    // On a phone: the search and its results fit the width, and pass axe.
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.evaluate(`location.hash = '#/search?q=${word}'`);
      await view.locator('[data-search-kind="task"]').waitFor({ timeout: 20_000 });
      await eventually(() => page.evaluate('document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth') as Promise<number>, (px) => px <= 1, 5_000);
      await page.addScriptTag({ path: AXE });
      assert.deepEqual(await axeFindings('.search-view'), [], 'phone search view');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('acts in the system view: restarts an app after asking (mouse and keyboard), follows its log live, draws its last hour', async () => {
    const restartsOf = async (name: string) => (await api.call<Array<{ name: string; restarts: number }>>('GET', '/api/processes')).body.find((p) => p.name === name)!.restarts;
    await page.evaluate(`location.hash = '#/system'`);
    const row = page.locator('[data-app="cmux-router"]');
    await row.locator('.sparkline[data-samples]').waitFor({ timeout: 20_000 });
    await eventually(async () => Number(await row.locator('.sparkline').getAttribute('data-samples')), (n) => n >= 1, 20_000);
    // A reading taken before PM2 measured the router's memory has none: the next one (30 s on) has.
    await eventually(async () => (await row.locator('svg').getAttribute('aria-label')) ?? '', (label) => /^cmux-router memory over the last hour: .+ restarts?$/.test(label), 90_000);

    // The log, followed: a line the router writes now shows up.
    await row.getByRole('button', { name: 'follow the log of cmux-router' }).click();
    const log = page.getByRole('region', { name: 'log of cmux-router' });
    await log.getByText('following live').waitFor({ timeout: 20_000 });
    const marker = `followed-line-${Date.now()}`;
    appendFileSync(join(cmux.home, 'logs', 'cmux-router.out.log'), `${new Date().toISOString()} INFO [cmux-router] ${marker} \u001b[31mred\n`);
    await log.locator('pre').getByText(marker).waitFor({ timeout: 20_000 });
    assert.match(await log.locator('pre').innerText(), new RegExp(`${marker} \\^\\[\\[31mred`), 'its escape shown as `cmux logs -f` shows it, not acted on');

    // Asked first: a no restarts nothing; a yes (by keyboard) restarts the router, and only it.
    const before = await restartsOf('cmux-router');
    const serverBefore = await restartsOf('cmux-server');
    const asked: string[] = [];
    page.once('dialog', (dialog) => void (asked.push(dialog.message()), dialog.dismiss()));
    await row.getByRole('button', { name: 'restart cmux-router' }).click();
    await eventually(async () => asked.length, (n) => n === 1, 10_000);
    assert.equal(asked[0], 'Restart cmux-router? PM2 stops it and starts it again; agents keep running.');
    assert.equal(await restartsOf('cmux-router'), before, 'nothing restarted on a no');
    page.once('dialog', (dialog) => void (asked.push(dialog.message()), dialog.accept()));
    await row.getByRole('button', { name: 'restart cmux-router' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-app-notice]', { hasText: 'cmux-router restarted' }).waitFor({ timeout: 30_000 });
    await eventually(() => restartsOf('cmux-router'), (n) => n === before + 1, 30_000);
    assert.equal(await restartsOf('cmux-server'), serverBefore);
    assert.equal(await page.evaluate('document.activeElement.getAttribute("aria-label")'), 'restart cmux-router', 'the focus stays on the button');
    await row.locator(`[data-restarts="${before + 1}"]`).waitFor({ timeout: 20_000 });
    await page.addScriptTag({ path: AXE });
    for (const theme of ['dark', 'light']) {
      await page.evaluate(`document.documentElement.setAttribute('data-theme', ${JSON.stringify(theme)})`);
      assert.deepEqual(await axeFindings('.system-view'), [], `${theme} system view with a followed log`);
    }
    await page.evaluate(`document.documentElement.setAttribute('data-theme', 'dark')`);
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.addScriptTag({ path: AXE });
      assert.deepEqual(await axeFindings('.system-view'), [], 'phone system view');
      await eventually(() => page.evaluate('document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth') as Promise<number>, (px) => px <= 1, 5_000);
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    await log.getByRole('button', { name: 'Stop following' }).click();
    await log.waitFor({ state: 'detached' });
  });

  it('kills a selection together, asking once and naming them; nothing is killed when the answer is no', async () => {
    await page.evaluate(`location.hash = '#/agents'`);
    await page.locator('.overview').waitFor();
    await card('w2').getByRole('checkbox', { name: 'select w2' }).click();
    await card('w3').getByRole('checkbox', { name: 'select w3' }).click();
    const bar = page.getByRole('region', { name: 'selected agents' });
    const asked: string[] = [];
    page.once('dialog', (dialog) => void (asked.push(dialog.message()), dialog.dismiss()));
    await bar.getByRole('button', { name: 'Kill 2' }).click();
    await eventually(async () => asked, (a) => a.length === 1, 10_000);
    assert.equal(asked[0], 'Kill w2, w3? Their terminals are archived in the journal.');
    assert.equal((await api.call<unknown[]>('GET', '/api/agents')).body.length, 4, 'nothing killed on a no');

    page.once('dialog', (dialog) => void (asked.push(dialog.message()), dialog.accept()));
    await bar.getByRole('button', { name: 'Kill 2' }).click();
    await page.locator('[data-selection-notice]', { hasText: 'killed 2 of 2' }).waitFor({ timeout: 60_000 });
    assert.equal(asked.length, 2, 'asked once for the two');
    await card('w2').waitFor({ state: 'detached', timeout: 20_000 });
    await card('w3').waitFor({ state: 'detached', timeout: 20_000 });
    const left = (await api.call<Array<{ id: string }>>('GET', '/api/agents')).body.map((a) => a.id).sort();
    assert.deepEqual(left, ['supervisor', 'w1']);
  });
});
