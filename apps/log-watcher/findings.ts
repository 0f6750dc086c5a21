import { prefilterNeedles } from './prefilter.js';

// One error found in a log: the line that matched, the lines before it, and the lines that
// belong to it (a stack trace is one finding, not one per frame).
export interface Finding {
  source: string;
  line: string;
  before: string[];
  after: string[];
}

export const CONTEXT_BEFORE = 3;
const MAX_FOLLOWING_LINES = 60;
// Lines that continue the error above them: stack frames, traceback bodies, `Caused by`, the
// exception line that ends a Python traceback.
const CONTINUATION = /^(\s+at\s|\s+File "|\s{2,}\S|\s*\.\.\. \d+ more|Caused by:|During handling of|[\w.]*(Error|Exception)\b.*:|\s*\^+\s*$|\s*$)/;
// cmux's own traffic about the watcher's alerts (the router delivering them) is never a finding.
const OWN_TRAFFIC = /system:log-watcher/;

export interface Matcher {
  errors: RegExp;
  ignores: RegExp | null;
  // Literals a line must hold for `errors` to match it (null: any line may match).
  needles: string[] | null;
}

// The patterns joined into one expression each, so a line is tested once, not once per pattern,
// and the literals that pick the lines worth testing.
export function compileMatcher(errorPatterns: readonly string[], ignorePatterns: readonly string[]): Matcher {
  const join = (patterns: readonly string[]) => new RegExp(patterns.map((p) => `(?:${p})`).join('|'), 'u');
  return { errors: join(errorPatterns), ignores: ignorePatterns.length > 0 ? join(ignorePatterns) : null, needles: prefilterNeedles(errorPatterns) };
}

// Groups the lines of one source into findings as they stream past. `redact` runs only on the
// lines a finding keeps (a log is mostly lines that are never shown): a line is matched as it
// will be shown, redacted, once the raw text passed the cheaper test. A line cut to its head is
// matched by the head and shown with `note` (its length) after it. Lines that cannot start a
// finding may be left out while `wantsNext` says no, as long as the three lines before the next
// one pushed are pushed first.
export function createFindingCollector(source: string, matcher: Matcher, emit: (finding: Finding) => void, redact: (line: string) => string = (line) => line) {
  const recent: string[] = [];
  let current: Finding | null = null;
  const flush = () => {
    if (current) emit(current);
    current = null;
  };
  const isError = (line: string) => matcher.errors.test(line) && !matcher.ignores?.test(line) && !OWN_TRAFFIC.test(line);
  return {
    push(line: string, note = ''): void {
      if (current && CONTINUATION.test(line) && current.after.length < MAX_FOLLOWING_LINES) {
        if (line.trim() !== '') current.after.push(redact(line) + note);
        return;
      }
      flush();
      if (matcher.errors.test(line)) {
        const shown = redact(line);
        if (isError(shown)) current = { source, line: shown + note, before: recent.map(redact), after: [] };
      }
      recent.push(line + note);
      if (recent.length > CONTEXT_BEFORE) recent.shift();
    },
    wantsNext: () => current !== null && current.after.length < MAX_FOLLOWING_LINES,
    end: flush,
  };
}

// The finding's line with what changes between two occurrences of the same error (times,
// ids, paths, numbers) replaced, so repeats share one fingerprint.
export function fingerprint(finding: Finding): string {
  const normalised = finding.line
    .replace(/\d{4}-\d{2}-\d{2}[T ][\d:.]+Z?/g, '<time>')
    .replace(/\b\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\b/g, '<time>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
    .replace(/\b[0-9a-f]{12,}\b/gi, '<hex>')
    .replace(/(\/[\w.-]+)+/g, '<path>')
    .replace(/\d+/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
  return `${finding.source.replace(/[.-]\d+$|\.\d+\.log$/, '')}|${normalised}`;
}

// What a person should try first for this kind of error.
export function suggestNextStep(finding: Finding, app: string): string {
  const text = [finding.line, ...finding.after].join('\n');
  if (/Connection refused|ECONNREFUSED/.test(text)) return 'Something it connects to is down: check `cmux status` and the port it tried.';
  if (/EADDRINUSE|address already in use/.test(text)) return 'A port is taken: `cmux doctor` names the holder.';
  if (/ENOSPC|No space left/.test(text)) return 'The disk is full: free space where CMUX_HOME lives.';
  if (/EACCES|Permission denied/.test(text)) return 'A permission problem: check who owns the file or folder it names.';
  if (/" 5\d\d\b/.test(text)) return `A request failed on the server side: read the lines around it with \`cmux logs ${app}\`.`;
  return `Read the stack and the lines around it: \`cmux logs ${app}\`.`;
}
