import { join } from 'node:path';
import { serverUrl, type CmuxConfig } from '../../core/src/config/index.js';
import { describeFrontend, type FrontendState } from '../../core/src/frontend/index.js';
import { homePaths } from '../../core/src/paths/index.js';
import { daemonPid, listAppStatus, pm2Home, type AppStatus } from '../../core/src/pm2/index.js';
import { tmuxClientFromConfig } from '../../core/src/tmux/index.js';
import { readRegistryForLookup } from '../../registry/index.js';
import { fetchHealth } from './health.js';

export interface CmuxStatus {
  running: boolean;
  url: string;
  home: string;
  pm2: { home: string; daemonPid: number | null };
  apps: AppStatus[];
  health: Record<string, unknown> | null;
  tmux: { server: boolean; session: string };
  agents: number;
}

// Everything `cmux status` shows, gathered without starting anything.
export async function collectStatus(config: CmuxConfig): Promise<CmuxStatus> {
  const tmux = tmuxClientFromConfig(config);
  const [apps, health, server, registry] = await Promise.all([
    listAppStatus(config.home),
    fetchHealth(config),
    tmux.hasServer().catch(() => false),
    readRegistryForLookup(homePaths(config.home).registry).then((read) => read.registry, () => null),
  ]);
  return {
    running: apps.every((a) => a.status === 'online') && health !== null,
    url: serverUrl(config),
    home: config.home,
    pm2: { home: pm2Home(), daemonPid: daemonPid() },
    apps,
    health,
    tmux: { server, session: config.tmux.session },
    agents: Object.keys(registry?.agents ?? {}).length,
  };
}

// The human view of a status: one line per app, then health, tmux and agents.
export function formatStatus(status: CmuxStatus): string {
  const rows = status.apps.map((a) =>
    [
      a.name.padEnd(22),
      a.status.padEnd(12),
      `pid ${a.pid ?? '-'}`.padEnd(11),
      `restarts ${a.restarts}`.padEnd(12),
      `up ${a.uptimeMs === null ? '-' : formatDuration(a.uptimeMs)}`.padEnd(11),
      `mem ${a.memory === null ? '-' : `${(a.memory / 1024 / 1024).toFixed(1)} MB`}`,
    ].join(' '),
  );
  const frontend = status.health?.frontend as FrontendState | undefined;
  const health = status.health ? `${frontend ? describeFrontend(frontend) : String(status.health.status)}, at ${status.url}/health` : `no answer from ${status.url}`;
  return [
    `cmux ${status.running ? 'is running' : 'is not running'} (home ${status.home})`,
    ...rows,
    `health: ${health}`,
    `tmux: ${status.tmux.server ? `server up, session ${status.tmux.session}` : 'no server'}`,
    `agents: ${status.agents}`,
    `pm2: ${status.pm2.daemonPid ? `daemon pid ${status.pm2.daemonPid}` : 'no daemon'} (${join(status.pm2.home)})`,
  ].join('\n');
}

function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}
