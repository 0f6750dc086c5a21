import type { CmuxConfig } from './schema.js';

// The address a local client reaches the server on (a wildcard bind is reached on loopback).
export function serverUrl(config: CmuxConfig): string {
  const { host, port } = config.server;
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${reachable}:${port}`;
}
