import { serverUrl, type CmuxConfig } from '../../core/src/index.js';
import { readToken } from '../../server/auth/token.js';

// GETs a JSON route of the running server, or null when it does not answer 200 in time.
export async function getFromServer<T>(config: CmuxConfig, path: string, timeoutMs = 1_500): Promise<T | null> {
  const token = readToken(config);
  if (!token) return null;
  try {
    const response = await fetch(`${serverUrl(config)}${path}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    return response.ok ? ((await response.json()) as T) : null;
  } catch {
    return null;
  }
}
