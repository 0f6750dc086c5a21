// What `--since` and `?since=` take: `today` (UTC midnight), a date (YYYY-MM-DD, UTC), a time
// in ISO 8601, or an age (`12h`, `7d`). Returns null when `text` is none of them.
export function parseSince(text: string, now = new Date()): Date | null {
  if (text === 'today') return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const age = /^(\d{1,4})([hd])$/.exec(text);
  if (age) return new Date(now.getTime() - Number(age[1]) * (age[2] === 'h' ? 3_600_000 : 86_400_000));
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(text)) return null;
  const time = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
  return Number.isFinite(time) ? new Date(time) : null;
}

export const SINCE_HELP = 'today, a date (YYYY-MM-DD), an ISO time, or an age such as 12h or 7d';
