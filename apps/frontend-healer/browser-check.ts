import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { z } from 'zod';

const CHECK_TIMEOUT_MS = 90_000;
const outcome = z.object({ ok: z.boolean(), problem: z.string().nullable() });

// Loads the dashboard in headless Chromium from a short-lived child process: playwright-core
// (some 90 MB once loaded) never stays in the healer, and a stop ends a check under way at
// once (`signal`) instead of waiting for it.
export async function checkInBrowserAside(url: string, chromiumPath: string, signal: AbortSignal): Promise<{ ok: boolean; problem: string | null }> {
  const self = fileURLToPath(import.meta.url);
  const child = self.replace(/browser-check\.(ts|js)$/, 'browser-check-child.$1');
  // From the sources (the tests), the child needs the same TypeScript loader.
  const loader = child.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const result = await execa(process.execPath, [...loader, child, url, chromiumPath], {
    timeout: CHECK_TIMEOUT_MS,
    cancelSignal: signal,
    forceKillAfterDelay: 2_000,
    reject: false,
    stdin: 'ignore',
  });
  if (result.failed) throw new Error(result.isCanceled ? 'stopped' : result.timedOut ? `no answer within ${CHECK_TIMEOUT_MS} ms` : String(result.stderr).trim().split('\n').at(-1) || `exit ${result.exitCode}`);
  return outcome.parse(JSON.parse(result.stdout));
}
