import type { CmuxConfig } from '../../core/src/index.js';

// The address a local client reaches the server on (a wildcard bind is reached on loopback).
export function serverUrl(config: CmuxConfig): string {
  const { host, port } = config.server;
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${reachable}:${port}`;
}

// GET /health, or null when the server does not answer 200 within `timeoutMs`.
export async function fetchHealth(config: CmuxConfig, timeoutMs = 2_000): Promise<Record<string, unknown> | null> {
  try {
    const response = await fetch(`${serverUrl(config)}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok ? ((await response.json()) as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
