import * as z from 'zod';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { readHomeFile, replaceHomeFile } from '../../core/src/fs/index.js';
import { homePaths } from '../../core/src/paths/index.js';

const viewSchema = z.object({
  self: z.string(),
  writtenAt: z.string(),
  unreachableMs: z.number(),
  hosts: z.array(z.object({ host: z.string(), reachable: z.boolean(), lastSeen: z.string().nullable() })),
  agents: z.array(z.object({ id: z.string(), host: z.string(), name: z.string(), session: z.string(), status: z.string() })),
});
export type ClusterView = z.infer<typeof viewSchema>;

function viewFile(config: CmuxConfig): string {
  return homePaths(config.home).clusterView;
}

// The server's picture of the other hosts, for the processes that have no NATS of their own
// (the CLI, the agents' `cmux mail send`).
export function writeClusterView(config: CmuxConfig, view: ClusterView): void {
  replaceHomeFile(config.home, viewFile(config), JSON.stringify(view));
}

// The last picture the server wrote, its reachability worked out now: a picture older than
// unreachableSeconds (the server is down) makes every host unreachable. Null on a single host
// or before the server wrote one.
export function readClusterView(config: CmuxConfig): ClusterView | null {
  if (!config.cluster) return null;
  let text: string | null;
  try {
    text = readHomeFile(config.home, viewFile(config));
  } catch {
    return null;
  }
  if (text === null) return null;
  let parsed: ClusterView;
  try {
    parsed = viewSchema.parse(JSON.parse(text));
  } catch {
    return null;
  }
  const now = Date.now();
  const fresh = now - Date.parse(parsed.writtenAt) < parsed.unreachableMs;
  const hosts = parsed.hosts.map((h) => ({ ...h, reachable: fresh && h.lastSeen !== null && now - Date.parse(h.lastSeen) < parsed.unreachableMs }));
  const down = new Set(hosts.filter((h) => !h.reachable).map((h) => h.host));
  return { ...parsed, hosts, agents: parsed.agents.map((a) => (down.has(a.host) ? { ...a, status: 'unreachable' } : a)) };
}
