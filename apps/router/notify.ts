import { serverUrl, type CmuxConfig } from '../core/src/index.js';
import { readToken } from '../server/auth/token.js';

const NOTIFY_TIMEOUT_MS = 1_000;

// Tells the server about a stored message so it reaches the dashboards at once. Best effort:
// a dashboard that missed it reads the history when it reconnects.
export async function notifyServer(config: CmuxConfig, event: 'message', data: unknown): Promise<boolean> {
  const token = readToken(config);
  if (!token) return false;
  try {
    const response = await fetch(`${serverUrl(config)}/api/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ event, data }),
      signal: AbortSignal.timeout(NOTIFY_TIMEOUT_MS),
    });
    return response.ok;
  } catch {
    return false;
  }
}
