import type { ProcessDescription } from 'pm2';
import { ALL_APP_NAMES, HUB_APP_NAME, MANAGED_APP_NAMES, PM2_NAMESPACE } from '../ecosystem/index.js';
import { daemonPid } from './client.js';
import { listMonitorData } from './monitor-data.js';

// One cmux app as PM2 sees it (CONTRACT §3 GET /api/processes).
export interface AppStatus {
  name: string;
  status: string;
  pid: number | null;
  restarts: number;
  uptimeMs: number | null;
  memory: number | null;
  cpu: number | null;
}

// The four cmux apps as PM2 reports them, and the hub when this host runs one; an app PM2 does
// not know is listed as `not started`. Never starts a PM2 daemon.
export async function listAppStatus(home: string): Promise<AppStatus[]> {
  const described = daemonPid() === null ? [] : await listMonitorData();
  const hub = described.find((p) => isCmuxApp(p, HUB_APP_NAME, home));
  return [...ALL_APP_NAMES.map((name) => toStatus(name, described.find((p) => isCmuxApp(p, name, home)))), ...(hub ? [toStatus(HUB_APP_NAME, hub)] : [])];
}

// The CMUX_HOME a PM2 app was started for.
export function appHome(p: ProcessDescription): string | undefined {
  return (p.pm2_env as { CMUX_HOME?: string } | undefined)?.CMUX_HOME;
}

// Whether a PM2 app is one of cmux's (the four, or the hub; optionally the one named `name`). With `home`, only
// the apps of the cmux instance whose CMUX_HOME that is.
export function isCmuxApp(p: ProcessDescription, name?: string, home?: string): boolean {
  const env = p.pm2_env as { namespace?: string } | undefined;
  const named = name ? p.name === name : MANAGED_APP_NAMES.includes(p.name as never);
  return env?.namespace === PM2_NAMESPACE && named && (home === undefined || appHome(p) === home);
}

function toStatus(name: string, p: ProcessDescription | undefined): AppStatus {
  if (!p) return { name, status: 'not started', pid: null, restarts: 0, uptimeMs: null, memory: null, cpu: null };
  const env = (p.pm2_env ?? {}) as { status?: string; restart_time?: number; pm_uptime?: number };
  const online = env.status === 'online';
  return {
    name,
    status: env.status ?? 'unknown',
    pid: online && p.pid ? p.pid : null,
    restarts: env.restart_time ?? 0,
    uptimeMs: online && env.pm_uptime ? Date.now() - env.pm_uptime : null,
    memory: online ? (p.monit?.memory ?? null) : null,
    cpu: online ? (p.monit?.cpu ?? null) : null,
  };
}
