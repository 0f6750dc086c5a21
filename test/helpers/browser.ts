import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { apiClient } from './api.ts';
import { createInstance, type TestInstance } from './instance.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Debian's Chromium, headless, with nothing that reaches out to the network (this machine has
// none). Playwright gives it a fresh profile of its own and removes it on close.
export async function launchBrowser(): Promise<{ browser: Browser; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install it with \`apt-get install chromium\` (or set CHROMIUM_PATH)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { browser, close: () => browser.close() };
}

// A started cmux with a worker spawned through the API (its task given), as the dashboard
// tests find it; `printedUrl` is the one-time login URL `cmux start` printed. `beforeStart`
// plants what the home should hold when cmux comes up (a usage ledger).
export async function startedWithWorker(beforeStart?: (cmux: TestInstance) => void): Promise<{ cmux: TestInstance; api: ReturnType<typeof apiClient>; printedUrl: string }> {
  const cmux = await createInstance();
  beforeStart?.(cmux);
  const api = apiClient(cmux);
  const start = await cmux.cli(['start'], { env: { CMUX_LOG_CHECK_INTERVAL: '1' } });
  assert.equal(start.exitCode, 0, String(start.stderr));
  const printedUrl = /dashboard: (\S+)/.exec(String(start.stdout))![1]!;
  assert.equal((await api.call('POST', '/api/agents', { name: 'api-worker', task: 'hello from the API' })).status, 201);
  return { cmux, api, printedUrl };
}
