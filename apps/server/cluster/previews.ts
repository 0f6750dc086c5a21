// The most of a preview another host is sent (its end: the last lines matter); the registry
// entry refuses more (apps/cluster/wire.ts).
export const MAX_SHARED_PREVIEW = 4_000;
// How often one agent's preview may change in the registry: an agent that prints all the time
// costs the hub one put a second, not one per screen it draws.
const SAMPLE_MS = 1_000;

// This host's agents' previews as the other hosts' dashboards get them, through the registry
// entries (the status monitor publishes every second, so the latest screen follows within
// about two). `current` is the status monitor's map; each call names the agents there are now.
export function sharedPreviews(current: () => ReadonlyMap<string, string>, now: () => number = Date.now) {
  const shared = new Map<string, { seen: string; preview: string; at: number }>();
  return (ids: readonly string[]): ReadonlyMap<string, string> => {
    const previews = current();
    const named = new Set(ids);
    for (const id of shared.keys()) if (!named.has(id)) shared.delete(id);
    const out = new Map<string, string>();
    for (const id of ids) {
      const seen = previews.get(id);
      if (seen === undefined) continue;
      let last = shared.get(id);
      if (!last || (last.seen !== seen && now() - last.at >= SAMPLE_MS)) {
        last = { seen, preview: seen.length > MAX_SHARED_PREVIEW ? seen.slice(-MAX_SHARED_PREVIEW) : seen, at: now() };
        shared.set(id, last);
      }
      out.set(id, last.preview);
    }
    return out;
  };
}
