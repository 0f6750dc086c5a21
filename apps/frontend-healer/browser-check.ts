import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import * as z from 'zod';
import { REPO_ROOT } from '../core/src/paths/index.js';

const CHECK_TIMEOUT_MS = 90_000;
const outcome = z.object({ ok: z.boolean(), problem: z.string().nullable() });

// Loads the dashboard in headless Chromium from a short-lived child process: playwright-core
// (some 90 MB once loaded) never stays in the healer, and a stop ends a check under way at
// once (`signal`) instead of waiting for it.
export async function checkInBrowserAside(url: string, chromiumPath: string, signal: AbortSignal): Promise<{ ok: boolean; problem: string | null }> {
  // The child is the compiled module beside this one in dist/apps, whether the healer runs from
  // its bundle (dist/bundles) or from dist/apps; from the sources (the tests), the TypeScript
  // child with the same loader.
  const fromSources = fileURLToPath(import.meta.url).endsWith('.ts');
  const child = fromSources ? join(REPO_ROOT, 'apps', 'frontend-healer', 'browser-check-child.ts') : join(REPO_ROOT, 'dist', 'apps', 'frontend-healer', 'browser-check-child.js');
  const loader = fromSources ? ['--import', 'tsx'] : [];
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
