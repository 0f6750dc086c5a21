import assert from 'node:assert/strict';
import { appendFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { apiClient } from '../helpers/api.ts';
import { launchBrowser, startedWithWorker } from '../helpers/browser.ts';
import type { TestInstance } from '../helpers/instance.ts';
import { storedMessages } from '../helpers/load.ts';
import { screenshotFile } from '../helpers/screenshots.ts';
import { eventually } from '../helpers/tmux.ts';
import { plantUsageLedger } from '../helpers/usage-ledger.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const VIEWS = ['agents', 'tasks', 'messages', 'usage', 'system'] as const;
const PHONE = { width: 390, height: 844 };

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

describe('the dashboard page shell in a real Chromium: true state, deep links, nothing lost, a page that fits', { timeout: 600_000 }, () => {
  let cmux: TestInstance;
  let api: ReturnType<typeof apiClient>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const url = (path = '/') => `http://127.0.0.1:${cmux.port}${path}`;
  const shot = (name: string) => page.screenshot({ path: screenshotFile(name), fullPage: true });
  const open = async (hash: string) => {
    await page.goto(url(`/${hash}`));
    await page.locator('[data-connection="live"]').waitFor({ timeout: 20_000 });
  };
  const setTheme = async (theme: 'dark' | 'light') => {
    if ((await page.evaluate('document.documentElement.dataset.theme')) !== theme) await page.getByLabel('switch theme').click();
  };
  const overflow = () => page.evaluate('document.documentElement.scrollWidth - window.innerWidth') as Promise<number>;

  before(async () => {
    // The usage ledger as cmux-server keeps it, with api-worker's tokens today and two days ago
    // (claude-sonnet-4 at $3 and $15 a million: $4.50 today, $1.50 then).
    const started = await startedWithWorker((instance) =>
      plantUsageLedger(instance.home, [
        { agent: 'api-worker', model: 'claude-sonnet-4-5', calls: 3, input: 1_000_000, output: 100_000 },
        { agent: 'api-worker', model: 'claude-sonnet-4-5', calls: 3, input: 500_000, output: 0, daysAgo: 2 },
      ]),
    );
    ({ cmux, api } = started);
    const printed = started.printedUrl;
    assert.equal((await api.call('POST', '/api/agents', { name: 'short-lived' })).status, 201);
    browser = await launchBrowser();
    page = await (await browser.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(printed);
    await page.locator('[data-agent="api-worker"] [data-status="idle"]').waitFor({ timeout: 30_000 });
  });
  after(async () => {
    await browser?.close();
    await cmux?.cleanup();
  });

  it("shows today's estimated cost in the header from GET /api/usage, and each agent's part when opened", async () => {
    const today = (await api.call<{ total: { costUsd: number | null }; lines: unknown[] }>('GET', '/api/usage?by=agent&since=today')).body;
    const summary = page.locator('.usage-today summary');
    await summary.waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.usage-today').getAttribute('data-usage-total'), String(today.total.costUsd ?? 'n/a'));
    assert.match((await summary.textContent()) ?? '', / today$/);
    await summary.click();
    assert.equal(await page.locator('.usage-panel tbody tr').count(), today.lines.length);
    assert.match((await page.locator('.usage-panel p').textContent()) ?? '', /not bills/);
    await summary.click();
  });

  it("opens the usage view from the header's total: today per agent and per project, 14 days drawn, the cost on the card; a budget set from the keyboard", async () => {
    await open('#/agents');
    await page.locator('[data-usage-card="api-worker"]', { hasText: '$4.50' }).waitFor({ timeout: 30_000 });
    await page.locator('.usage-today summary').click();
    await page.locator('[data-open-usage]').click();
    assert.equal(new URL(page.url()).hash, '#/usage');
    await page.locator('[data-usage-by="agent"] [data-usage-row="api-worker"]', { hasText: '$4.50' }).waitFor({ timeout: 20_000 });
    await page.locator('[data-usage-by="project"] [data-usage-row="default"]', { hasText: '$4.50' }).waitFor();
    const bars = page.locator('.day-chart [data-day]');
    assert.equal(await bars.count(), 14);
    const cost = (i: number) => bars.nth(i).getAttribute('data-cost').then(Number);
    assert.equal(await cost(13), 4.5, 'today, last');
    assert.equal(await cost(11), 1.5, 'two days ago');
    assert.equal(await cost(12), 0);
    const height = (i: number) => bars.nth(i).locator('rect').evaluate((r) => r.getBoundingClientRect().height);
    assert.ok((await height(13)) > (await height(11)) * 2.5, 'bars as tall as their cost');
    // The keyboard alone: the budget's name, its amount, Enter.
    await page.getByLabel('budget for').focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.getByLabel('budget for').inputValue(), 'default');
    await page.keyboard.press('Tab');
    await page.keyboard.type('4');
    await page.keyboard.press('Enter');
    await page.locator('[data-budget-notice]', { hasText: 'budget default set to $4.00 a day' }).waitFor();
    const line = page.locator('[data-budget="default"]');
    assert.equal(await line.getAttribute('data-budget-percent'), '112');
    assert.match(await line.innerText(), /reached: messages to its agents wait until/);
    await eventually(async () => (await api.call<Array<{ title: string }>>('GET', '/api/alerts')).body, (alerts) => alerts.some((a) => /^budget default reached: \$4\.50 of \$4\.00/.test(a.title)), 20_000);
    await shot('usage');
    // Taken away again: the other tests' messages go through.
    assert.equal((await api.call('PUT', '/api/budgets/default', { usdPerDay: null })).status, 200);
  });

  it('has an icon: /favicon.ico is the SVG icon, served as SVG without a login, and the page links it', async () => {
    for (const path of ['/favicon.ico', await page.locator('link[rel="icon"]').getAttribute('href')]) {
      const res = await fetch(url(path!), { signal: AbortSignal.timeout(10_000) });
      assert.equal(res.status, 200, path!);
      assert.equal(res.headers.get('content-type'), 'image/svg+xml', path!);
      assert.match(await res.text(), /^<svg /, path!);
    }
  });

  it('loads only what the first screen needs, compressed: the agent view and its terminal when an agent opens, the diff view never for a worker without a worktree (issue 26, finding 11)', async () => {
    // A fresh page with an empty cache, logged in as this one is.
    const context = await browser.browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(`localStorage.setItem('cmux-session', ${JSON.stringify(await page.evaluate('localStorage.getItem("cmux-session")'))})`);
    const fresh = await context.newPage();
    // What the page fetched from the build, and how many bytes of each came over the wire.
    const fetched = async () =>
      (await fresh.evaluate(`performance.getEntriesByType('resource').filter((e) => /^\\/assets\\/.*\\.(js|css)$/.test(new URL(e.name).pathname)).map((e) => ({ path: new URL(e.name).pathname, encoded: e.encodedBodySize, decoded: e.decodedBodySize }))`)) as Array<{ path: string; encoded: number; decoded: number }>;
    try {
      const html = await (await fetch(url('/'), { signal: AbortSignal.timeout(10_000) })).text();
      const firstScreen = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!).sort();
      // One script and one stylesheet, plus the chunks the script imports that the bundler put
      // apart (Vite 8 keeps React's JSX runtime in a chunk of its own), which index.html preloads.
      assert.equal(html.match(/<script /g)?.length, 1, 'index.html loads one script');
      assert.equal(html.match(/rel="stylesheet"/g)?.length, 1, 'index.html loads one stylesheet');
      assert.equal(firstScreen.length - 2, html.match(/rel="modulepreload"/g)?.length ?? 0, 'the rest of what index.html names is preloaded');
      await fresh.goto(url('/#/agents'));
      await fresh.locator('[data-card="api-worker"]').waitFor({ timeout: 20_000 });
      const first = await fetched();
      assert.deepEqual(first.map((f) => f.path).sort(), firstScreen, 'the overview loads nothing but what index.html names');
      for (const f of first) assert.ok(f.encoded > 0 && f.encoded < f.decoded / 2, `${f.path} came compressed (${f.encoded} of ${f.decoded} bytes)`);
      await fresh.locator('[data-agent="api-worker"]').click();
      await fresh.getByTestId('terminal').waitFor();
      const opened = (await fetched()).map((f) => f.path);
      assert.ok(opened.some((p) => /\/AgentView-[^/]+\.js$/.test(p)) && opened.some((p) => /\/Terminal-[^/]+\.js$/.test(p)), opened.join(' '));
      assert.ok(!opened.some((p) => p.includes('DiffView')), 'no diff view for a worker without a worktree');
    } finally {
      await context.close();
    }
  });

  it('keeps the view and the agent in the URL: a reload restores them, an unknown agent is said so', async () => {
    await open('#/agents/api-worker');
    await page.locator('[data-agent="api-worker"][aria-current="true"]').waitFor();
    await page.locator('.agent-view h2', { hasText: 'api-worker' }).waitFor();
    await page.getByRole('button', { name: 'System' }).click();
    assert.equal(new URL(page.url()).hash, '#/system/api-worker');
    await page.reload();
    await page.getByRole('heading', { name: 'Processes' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'System' }).getAttribute('aria-current'), 'page');
    await page.getByRole('button', { name: 'Agents' }).click();
    await page.locator('.agent-view h2', { hasText: 'api-worker' }).waitFor();
    await page.locator('[data-agent="supervisor"]').click();
    assert.equal(new URL(page.url()).hash, '#/agents/supervisor');
    await page.goBack();
    await page.locator('[data-agent="api-worker"][aria-current="true"]').waitFor();

    await open('#/agents/no-such-agent');
    const unknown = page.locator('[data-unknown-agent="no-such-agent"]');
    await unknown.waitFor();
    assert.match(await unknown.innerText(), /There is no agent named no-such-agent/);
    await open('#/bogus-view/%E0%A4%A');
    await page.locator('[data-agent="supervisor"]').waitFor();
  });

  it('works from the keyboard alone, with a ring where the focus is: pick an agent, send it a message, switch views', async () => {
    await open('#/agents');
    // Strings, not functions: what runs in the page is not compiled for it.
    const focused = () =>
      page.evaluate(`(() => {
        const el = document.activeElement;
        const style = el ? getComputedStyle(el) : null;
        return { agent: el?.dataset.agent ?? null, label: el?.getAttribute('aria-label') ?? el?.textContent ?? '', outline: style?.outlineStyle ?? '', width: style ? parseFloat(style.outlineWidth) : 0 };
      })()`) as Promise<{ agent: string | null; label: string; outline: string; width: number }>;
    const tabTo = async (match: (f: Awaited<ReturnType<typeof focused>>) => boolean, key = 'Tab') => {
      for (let i = 0; i < 60; i += 1) {
        await page.keyboard.press(key);
        const f = await focused();
        if (match(f)) return f;
      }
      throw new Error(`the keyboard never reached it (last: ${JSON.stringify(await focused())})`);
    };
    const onAgent = await tabTo((f) => f.agent === 'api-worker');
    assert.equal(onAgent.outline, 'solid', 'a visible focus ring');
    assert.ok(onAgent.width >= 2, `a ring of 2 px or more (${onAgent.width})`);
    await page.keyboard.press('Enter');
    const selected = page.locator('[data-agent="api-worker"]');
    assert.equal(await selected.getAttribute('aria-current'), 'true');
    const border = (await page.evaluate(`getComputedStyle(document.querySelector('[data-agent="api-worker"]')).borderLeftWidth`)) as string;
    assert.ok(parseFloat(border) >= 4, `the selected agent is marked by more than a thin border (${border})`);
    await tabTo((f) => f.label === 'message');
    await page.keyboard.type('typed without a mouse');
    await page.keyboard.press('Enter');
    await eventually(async () => storedMessages(cmux.home).find((m) => m.to === 'api-worker' && m.body === 'typed without a mouse'), (m) => m !== undefined, 20_000);
    // Back through the terminal and out of it: the keyboard is never trapped on the way.
    await tabTo((f) => f.agent === 'api-worker', 'Shift+Tab');
    const tab = await tabTo((f) => f.label === 'System', 'Shift+Tab');
    assert.equal(tab.outline, 'solid');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Processes' }).waitFor();
    assert.match(new URL(page.url()).hash, /^#\/system/);
  });

  it('keeps a killed agent listed apart, its archived terminal viewable; the journal lists the archive and its search finds it and clears', async () => {
    await open('#/agents/short-lived');
    await page.locator('[data-agent="short-lived"] [data-status="idle"]').waitFor({ timeout: 30_000 });
    const before = (await api.call<{ text: string }>('GET', '/api/agents/short-lived/terminal')).body.text.trim().split('\n').filter(Boolean).at(-1)!;
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Kill' }).click();
    const listed = page.locator('[data-list="killed"] [data-killed="short-lived"]');
    await listed.waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('[data-agent="short-lived"]').count(), 0, 'no longer among the running ones');
    await page.reload();
    await page.locator('[data-killed-view="short-lived"]').waitFor();
    assert.equal(await listed.getAttribute('aria-current'), 'true', 'the deep link opens the killed agent');
    const archived = page.locator('[data-killed-view="short-lived"] [data-testid="terminal"]');
    await eventually(async () => (await archived.getAttribute('data-text')) ?? '', (t) => t.includes(before.trim()), 10_000);

    await page.getByRole('button', { name: 'System' }).click();
    const file = page.locator('[data-file-kind="terminal"]', { hasText: 'terminal of short-lived' });
    await file.getByRole('button').click();
    await eventually(async () => file.locator('[data-journal-file]').innerText(), (t) => t.includes(before.trim()), 10_000);
    await page.locator('.journal li', { hasText: 'killed agent short-lived' }).waitFor();

    const search = page.getByLabel('search the journal');
    await search.fill('short-lived');
    await search.press('Enter');
    await page.locator('[data-search-results]').waitFor();
    assert.ok(Number(await page.locator('[data-search-results]').getAttribute('data-search-results')) >= 2, 'the kill entry and the archive');
    await page.getByRole('button', { name: 'Clear search' }).click();
    await page.locator('[data-search-results]').waitFor({ state: 'detached' });
    assert.equal(await search.inputValue(), '');
    await file.waitFor();
    await search.fill('nothing-like-this-anywhere');
    await search.press('Enter');
    await page.getByText('Nothing in the journal matches “nothing-like-this-anywhere”.').waitFor();
    await search.press('Escape');
    await page.locator('[data-search-results]').waitFor({ state: 'detached' });
    await shot('journal');
  });

  it('opens an alert to its journal file and acknowledges it, which a reload keeps and another open page shows at once', async () => {
    appendFileSync(join(cmux.home, 'logs', 'cmux-router.err.log'), `${new Date().toISOString()} ERROR [cmux-router] the flux capacitor overheated\n`);
    await open('#/system');
    const alert = page.locator('[data-alert]', { hasText: 'the flux capacitor overheated' }).first();
    await alert.waitFor({ timeout: 30_000 });
    // A second dashboard, open meanwhile (same session): it hears of the acknowledgement over the WebSocket.
    const other = await page.context().newPage();
    await other.goto(page.url());
    await other.locator('[data-connection="live"]').waitFor({ timeout: 30_000 });
    const seenElsewhere = other.locator('[data-alert]', { hasText: 'the flux capacitor overheated' }).first();
    await seenElsewhere.waitFor({ timeout: 30_000 });
    assert.equal(await seenElsewhere.evaluate((el) => el.classList.contains('acknowledged')), false);
    await alert.locator('summary').click();
    await eventually(async () => alert.locator('[data-journal-file]').innerText(), (t) => t.includes('the flux capacitor overheated'), 10_000);
    await alert.getByRole('button', { name: 'Acknowledge' }).focus();
    await page.keyboard.press('Enter');
    await alert.getByText(/acknowledged/).waitFor();
    const id = (await alert.getAttribute('data-alert'))!;
    // Its button is gone: the focus is on the alert, not lost to the page (issue 26, finding 11).
    await page.waitForFunction(`document.activeElement?.matches('[data-alert="${id}"] summary')`, undefined, { timeout: 5_000 });
    await seenElsewhere.getByText(/acknowledged/).waitFor({ timeout: 30_000 });
    assert.equal(await seenElsewhere.evaluate((el) => el.classList.contains('acknowledged')), true, 'without a reload');
    await other.close();
    await page.reload();
    const again = page.locator(`[data-alert="${id}"]`);
    await again.getByText(/acknowledged/).waitFor();
    assert.equal(await again.evaluate((el) => el.classList.contains('acknowledged')), true);
    const stored = (await api.call<Array<{ id: string; acknowledged?: string }>>('GET', '/api/alerts')).body.find((a) => a.id === id);
    assert.ok(stored?.acknowledged, 'the server keeps it');
  });

  it('keeps the keyboard on a task it moves on the board, also at the board\'s last column (issue 26, finding 11)', async () => {
    const task = (await api.call<{ id: number }>('POST', '/api/tasks', { title: 'moved by keys', status: 'done' })).body;
    await open('#/tasks');
    const on = `move #${task.id} on`;
    await page.getByLabel(on).focus();
    await page.keyboard.press('Enter');
    await page.locator(`[data-column="failed"] [data-task="${task.id}"]`).waitFor();
    // "On" is the last column's disabled button: the focus takes the one that still moves it.
    await page.waitForFunction(`document.activeElement?.getAttribute('aria-label') === 'move #${task.id} back'`, undefined, { timeout: 5_000 });
    await page.keyboard.press('Enter');
    await page.locator(`[data-column="done"] [data-task="${task.id}"]`).waitFor();
    await page.waitForFunction(`document.activeElement?.getAttribute('aria-label') === 'move #${task.id} back' && document.activeElement.closest('[data-column="done"]') !== null`, undefined, { timeout: 5_000 });
  });

  it('draws the symbols agents print (⏺ ❯ ● › box drawing) with the terminal font stack, none as an empty box', async () => {
    await open('#/agents/api-worker');
    const terminal = page.getByTestId('terminal');
    await eventually(async () => (await terminal.getAttribute('data-text')) ?? '', (t) => t.includes('⏺'), 30_000);
    const fonts = (await page.evaluate(`getComputedStyle(document.querySelector('.xterm-rows')).fontFamily`)) as string;
    assert.match(fonts, /Symbola/);
    // Each glyph drawn in the stack, against a character no font has (drawn as the empty box).
    const missing = (await page.evaluate(`(() => {
      const draw = (text) => {
        const canvas = document.createElement('canvas');
        canvas.width = 40;
        canvas.height = 40;
        const ctx = canvas.getContext('2d');
        ctx.font = '24px ' + ${JSON.stringify(fonts)};
        ctx.fillText(text, 4, 30);
        return Array.from(ctx.getImageData(0, 0, 40, 40).data).join(',');
      };
      const box = draw('\\u0378');
      return ['⏺', '❯', '●', '›', '─', '│', '╭', '✔'].filter((glyph) => draw(glyph) === box);
    })()`)) as string[];
    assert.deepEqual(missing, [], `drawn as the empty box: ${missing.join(' ')} (install fonts-symbola)`);
  });

  it('has no serious or critical axe-core violations (contrast included) in any view, in both themes', async () => {
    const found: string[] = [];
    for (const theme of ['dark', 'light'] as const) {
      for (const view of VIEWS) {
        await open(`#/${view}${view === 'agents' ? '/api-worker' : ''}`);
        await setTheme(theme);
        if (view === 'system') await page.locator('[data-alert] summary').first().click();
        await page.addScriptTag({ path: AXE });
        const violations = (await page.evaluate('axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] }).then((r) => r.violations)')) as AxeViolation[];
        for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
          found.push(`${theme} ${view}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 3).map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join(' | ')}`);
        }
      }
      // The killed agent's view too.
      await open('#/agents/short-lived');
      await page.addScriptTag({ path: AXE });
      const killed = (await page.evaluate('axe.run(document, { runOnly: ["wcag2a", "wcag2aa"] }).then((r) => r.violations)')) as AxeViolation[];
      for (const v of killed.filter((x) => x.impact === 'serious' || x.impact === 'critical')) found.push(`${theme} killed view: ${v.id} ${v.help}`);
    }
    assert.deepEqual(found, []);
  });

  it('keeps control edges at 3:1 against their background in both themes (WCAG 1.4.11)', async () => {
    for (const theme of ['dark', 'light'] as const) {
      await open('#/agents/api-worker');
      await setTheme(theme);
      // xterm's own input field is invisible (the terminal box is the control people see).
      const ratios = (await page.evaluate(`(() => {
        const lum = (c) => {
          const [r, g, b] = (c.match(/[\\d.]+/g) ?? []).slice(0, 3).map((v) => Number(v) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const ratio = (a, b) => (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
        const backdrop = (el) => {
          for (let e = el; e; e = e.parentElement) {
            const bg = getComputedStyle(e).backgroundColor;
            if (bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') return bg;
          }
          return 'rgb(255, 255, 255)';
        };
        return [...document.querySelectorAll('input, textarea:not(.xterm-helper-textarea), select, button:not(.link)')].map((el) => ({
          what: el.tagName + ' ' + (el.getAttribute('aria-label') ?? el.textContent.slice(0, 20)),
          ratio: ratio(getComputedStyle(el).borderTopColor, backdrop(el.parentElement)),
        }));
      })()`)) as Array<{ what: string; ratio: number }>;
      const low = ratios.filter((r) => r.ratio < 3).map((r) => `${theme}: ${r.what} ${r.ratio.toFixed(2)}:1`);
      assert.ok(ratios.length > 5);
      assert.deepEqual(low, []);
    }
  });

  it('fits a phone: the agent looked at comes first (terminal, then message box, above the fold), nothing overflows sideways in any view', async () => {
    await setTheme('dark');
    await page.setViewportSize(PHONE);
    // Each view with its content in: the process table's rows, the board's columns, the messages.
    const filled = { agents: '[data-testid="terminal"] .xterm-rows', tasks: '[data-column="done"]', messages: '.messages li', usage: '[data-usage-row="api-worker"]', system: '[data-app="cmux-frontend-healer"]' };
    const found: string[] = [];
    for (const view of VIEWS) {
      await open(`#/${view}${view === 'agents' ? '/api-worker' : ''}`);
      await page.locator(filled[view]).first().waitFor();
      assert.ok((await overflow()) <= 1, `${view}: no sideways scrolling (${await overflow()} px)`);
      // On a phone too, no serious axe finding: a box that scrolls can be reached by the keyboard (issue 26, finding 11).
      await page.addScriptTag({ path: AXE });
      const violations = (await page.evaluate('axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] }).then((r) => r.violations)')) as AxeViolation[];
      for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
        found.push(`phone ${view}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 3).map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join(' | ')}`);
      }
    }
    assert.deepEqual(found, []);
    await open('#/system');
    await page.locator(filled.system).waitFor();
    await page.getByText(/Health: (healthy|degraded)/).waitFor();
    const table = (await page.evaluate(`(() => {
      const box = document.querySelector('.table-scroll');
      return { overflowX: getComputedStyle(box).overflowX, wider: box.scrollWidth > box.clientWidth };
    })()`)) as { overflowX: string; wider: boolean };
    assert.deepEqual(table, { overflowX: 'auto', wider: true }, 'the process table is wider than a phone and scrolls in its own box');
    await shot('phone-system');
    await open('#/agents/api-worker');
    const box = async (selector: string) => (await page.locator(selector).first().boundingBox())!;
    const terminal = await box('[data-testid="terminal"]');
    const message = await box('[aria-label="message"]');
    const list = await box('aside.agents');
    assert.ok(terminal.y < list.y && message.y < list.y, 'the agent comes before the list and the spawn form');
    assert.ok(terminal.y < message.y, 'terminal, then message box');
    assert.ok(message.y + message.height <= PHONE.height, `the message box is above the fold (${message.y + message.height} px)`);
    await shot('phone-agent');
    await setTheme('light');
    await shot('phone-agent-light');
    await setTheme('dark');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('after `npm run stop` it says offline and greys what it cannot vouch for; after `npm start` it shows the true state without a reload', async () => {
    await open('#/agents/api-worker');
    const status = page.locator('[data-agent="api-worker"] [data-status]');
    await page.locator('[data-agent="api-worker"] [data-status="idle"]').waitFor({ timeout: 20_000 });
    const marker = await page.evaluate('window.__sameDocument = "kept"');
    assert.equal(marker, 'kept');

    const stop = await cmux.cli(['stop']);
    assert.equal(stop.exitCode, 0, String(stop.stderr));
    await page.locator('[data-online="false"]').waitFor({ timeout: 20_000 });
    const banner = page.getByRole('status').filter({ hasText: 'Offline' });
    await banner.waitFor();
    assert.match(await banner.innerText(), /the cmux server does not answer/);
    const muted = await page.evaluate('getComputedStyle(document.documentElement).getPropertyValue("--muted").trim()');
    const colors = (await page.evaluate(`(() => {
      const probe = document.createElement('span');
      probe.style.color = ${JSON.stringify(muted)};
      document.body.append(probe);
      const muted = getComputedStyle(probe).color;
      probe.remove();
      return { muted, status: getComputedStyle(document.querySelector('[data-agent="api-worker"] [data-status]')).color };
    })()`)) as { muted: string; status: string };
    assert.equal(colors.status, colors.muted, 'the status is greyed');
    // Times stop counting: the age shown now is the age shown a moment later.
    const frozen = await status.innerText();
    await page.waitForTimeout(2_500);
    assert.equal(await status.innerText(), frozen);
    await page.getByRole('button', { name: 'System' }).click();
    await page.locator('.table-scroll[data-stale="true"] caption', { hasText: 'Last known' }).waitFor();
    await page.getByRole('button', { name: 'Agents' }).click();
    // A send while offline fails in plain words; the draft stays.
    await page.getByLabel('message').fill('sent into the void');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.message-box').getByRole('alert').filter({ hasText: 'cmux does not answer' }).waitFor();
    await shot('offline');

    const start = await cmux.cli(['start']);
    assert.equal(start.exitCode, 0, String(start.stderr));
    await page.locator('[data-online="true"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.evaluate('window.__sameDocument'), 'kept', 'no reload happened');
    await banner.waitFor({ state: 'detached' });
    assert.equal(await page.getByText(/does not answer|Failed to fetch/).count(), 0, 'no stale error is left');
    assert.equal(await page.getByLabel('message').inputValue(), 'sent into the void', 'the draft is kept');
    // What the page shows is what the API says now.
    const truth = async () => (await api.call<Array<{ id: string; status: string }>>('GET', '/api/agents')).body;
    await eventually(
      async () => {
        const agents = await truth();
        const shown = await Promise.all(agents.map(async (a) => (await page.locator(`[data-agent="${a.id}"] [data-status]`).getAttribute('data-status').catch(() => null)) === a.status));
        return shown.every(Boolean) && agents.length > 0;
      },
      (same) => same,
      30_000,
    );
    const terminal = page.getByTestId('terminal');
    await eventually(async () => (await terminal.getAttribute('data-text')) ?? '', (t) => t.trim().length > 0, 20_000);
    await page.getByRole('button', { name: 'System' }).click();
    await eventually(
      async () => {
        const pm2 = (await api.call<Array<{ name: string; pid: number | null; status: string }>>('GET', '/api/processes')).body;
        const shown = await Promise.all(pm2.map(async (p) => (await page.locator(`[data-app="${p.name}"] [data-pid]`).getAttribute('data-pid')) === String(p.pid ?? '')));
        return shown.every(Boolean) && pm2.every((p) => p.status === 'online');
      },
      (same) => same,
      30_000,
    );
    assert.equal(await page.locator('[data-stale="true"]').count(), 0);
  });

  it('asks for a login, not "offline" for ever, when its session did not survive the restart', async () => {
    await open('#/agents/api-worker');
    assert.equal((await cmux.cli(['stop'])).exitCode, 0);
    await page.locator('[data-online="false"]').waitFor({ timeout: 20_000 });
    rmSync(join(cmux.home, 'state', 'sessions.json'));
    assert.equal((await cmux.cli(['start'])).exitCode, 0);
    await page.getByText('This dashboard needs the access token').waitFor({ timeout: 30_000 });
  });
});
