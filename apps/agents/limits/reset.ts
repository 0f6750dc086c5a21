// When a usage limit resets, from what a program says. A program that names only a time of day
// ("try again at 2:37 AM", Codex; "resets 3pm", Claude Code; "Access resets at 5:42 AM UTC",
// Gemini CLI) means its next occurrence in the local time zone of cmux (the tmux server's, where
// the agents run) — or in UTC or a GMT offset when it names one — to the minute: the reset
// is taken as the end of that minute, so it is never too early. A time already passed by a few
// minutes is the one just gone (the screen is read late, the program rounded down), not
// tomorrow's. Anything further than MAX_AHEAD_MS ahead is capped there, and said.
export const MAX_AHEAD_MS = 7 * 24 * 3600_000;
const MINUTE_MS = 60_000;
const JUST_GONE_MS = 5 * MINUTE_MS;

export interface Reset {
  // Epoch ms (in the past: that limit is over), or null when the text names no time cmux can read.
  until: number | null;
  // Why `until` is not what the text said (capped, past), for the logs and the reason.
  note: string | null;
}

export function parseReset(text: string | undefined, now: number = Date.now()): Reset {
  if (!text || text.length > 200) return { until: null, note: text ? 'the reset text is too long to read' : null };
  const said = readTime(text.trim(), now);
  if (said === null) return { until: null, note: `no reset time in "${text.trim()}"` };
  // Over already: the caller holds nothing for it.
  if (said < now - JUST_GONE_MS) return { until: said, note: `the reset ${new Date(said).toISOString()} is in the past` };
  if (said > now + MAX_AHEAD_MS) return { until: now + MAX_AHEAD_MS, note: `the reset ${new Date(said).toISOString()} is more than 7 days ahead; taken as 7 days` };
  return { until: Math.max(said, now), note: null };
}

function readTime(text: string, now: number): number | null {
  // An epoch in seconds (Claude Code's `limit reached|<epoch>`) or an ISO time.
  if (/^\d{9,11}$/.test(text)) return Number(text) * 1000;
  if (/^\d{4}-\d\d-\d\dT/.test(text)) {
    const at = Date.parse(text);
    return Number.isNaN(at) ? null : at;
  }
  // "in 20s", "in 5 minutes", "20s", "20.5s" (Gemini CLI's "Suggested retry after 20.5s")
  const relative = /^(?:in\s+)?(\d{1,7}(?:\.\d{1,3})?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)$/i.exec(text);
  if (relative) {
    const unit = relative[2]!.toLowerCase()[0]!;
    return now + Number(relative[1]) * (unit === 's' ? 1_000 : unit === 'm' ? MINUTE_MS : 3600_000);
  }
  // A time of day: "2:37 AM", "3pm", "14:05", optionally after a month and day ("Dec 8, 2:37 AM"),
  // optionally with its zone's short name ("5:42 AM UTC", "9:05 PM GMT+5:30", "3:00 PM PST").
  const clock = /^(?:(?<month>[A-Z][a-z]{2})[a-z]*\.?\s+(?<day>\d{1,2})(?:st|nd|rd|th)?,?(?:\s+(?<year>\d{4}),?)?\s+(?:at\s+)?)?(?<hour>\d{1,2})(?::(?<minute>\d\d))?\s*(?<half>[ap]\.?m\.?)?(?:\s+(?<zone>(?:UTC|GMT)(?:[+-]\d{1,2}(?::\d\d)?)?|[A-Z]{3,5}))?(?:\s*\([^)]*\))?$/i.exec(text);
  if (!clock?.groups) return null;
  const { month, day, year, hour, minute, half, zone } = clock.groups;
  let h = Number(hour);
  const m = minute ? Number(minute) : 0;
  if (half) {
    if (h < 1 || h > 12) return null;
    h = (h % 12) + (half.toLowerCase().startsWith('p') ? 12 : 0);
  } else if (!minute || h > 23) return null;
  if (m > 59) return null;
  const offset = zone ? zoneOffsetMs(zone) : null;
  if (offset === undefined) return null;
  // The end of minute h:m of a day, read in the zone named (or cmux's own).
  const endOf = (y: number, mo: number, d: number) => (offset === null ? new Date(y, mo, d, h, m).getTime() : Date.UTC(y, mo, d, h, m) - offset) + MINUTE_MS;
  const base = offset === null ? new Date(now) : new Date(now + offset);
  const [baseYear, baseMonth, baseDay] = offset === null ? [base.getFullYear(), base.getMonth(), base.getDate()] : [base.getUTCFullYear(), base.getUTCMonth(), base.getUTCDate()];
  if (month) {
    const index = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].indexOf(month.slice(0, 3).toLowerCase());
    if (index < 0 || Number(day) < 1 || Number(day) > 31) return null;
    const at = endOf(year ? Number(year) : baseYear, index, Number(day));
    // No year: the next such date.
    return !year && at < now - JUST_GONE_MS ? endOf(baseYear + 1, index, Number(day)) : at;
  }
  const today = endOf(baseYear, baseMonth, baseDay);
  return today < now - JUST_GONE_MS ? endOf(baseYear, baseMonth, baseDay + 1) : today;
}

// A zone's offset from UTC in ms: UTC and GMT±h[:mm] as they say; another short name in capitals
// ("PST", "CET") is the program's local zone, which is cmux's own on the same machine (null);
// anything else ("later", an offset past ±14 h) is no zone (undefined).
function zoneOffsetMs(zone: string): number | null | undefined {
  const named = /^(?:UTC|GMT)(?:(?<sign>[+-])(?<hours>\d{1,2})(?::(?<minutes>\d\d))?)?$/i.exec(zone);
  if (!named?.groups) return /^[A-Z]{3,5}$/.test(zone) ? null : undefined;
  const { sign, hours, minutes } = named.groups;
  if (!sign) return 0;
  const offset = (Number(hours) * 60 + Number(minutes ?? 0)) * MINUTE_MS;
  if (offset > 14 * 3600_000 || Number(minutes ?? 0) > 59) return undefined;
  return sign === '-' ? -offset : offset;
}
