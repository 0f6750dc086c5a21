import { serverUrl, type CmuxConfig } from '../../core/src/config/index.js';
import { APP_NAMES } from '../../core/src/ecosystem/index.js';
import { CmuxError } from '../../core/src/errors/index.js';

// GET /health, or null when the server does not answer 200 within `timeoutMs`.
export async function fetchHealth(config: CmuxConfig, timeoutMs = 2_000): Promise<Record<string, unknown> | null> {
  try {
    const response = await fetch(`${serverUrl(config)}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok ? ((await response.json()) as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

// Throws CMUX_ERR_NOT_RUNNING unless cmux runs: its server answers health and PM2 reports the
// router online (a PM2 that does not answer in time is not held against it). For a command
// that would otherwise queue a message and wait for a router that is not there.
export async function assertRunning(config: CmuxConfig, what: string): Promise<void> {
  const health = await fetchHealth(config);
  if (!health) {
    throw new CmuxError('CMUX_ERR_NOT_RUNNING', `cmux is not running (nothing answers ${serverUrl(config)}/health): ${what}. Start it with \`cmux start\`, or use --no-wait to queue it for the next start`);
  }
  const processes = health.processes as Array<{ name: string; status: string }> | null | undefined;
  const router = processes?.find((p) => p.name === APP_NAMES.router);
  if (processes && router?.status !== 'online') {
    throw new CmuxError('CMUX_ERR_NOT_RUNNING', `${APP_NAMES.router} is ${router?.status ?? 'not started'}, so nothing would be delivered: ${what}. See \`cmux status\` and \`cmux logs ${APP_NAMES.router}\``);
  }
}
