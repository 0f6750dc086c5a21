import { serverUrl, type CmuxConfig } from '../../core/src/config/index.js';

// GET /health, or null when the server does not answer 200 within `timeoutMs`.
export async function fetchHealth(config: CmuxConfig, timeoutMs = 2_000): Promise<Record<string, unknown> | null> {
  try {
    const response = await fetch(`${serverUrl(config)}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok ? ((await response.json()) as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
