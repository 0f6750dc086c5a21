const REDACTED = '[redacted]';
// Query parameters whose value is a secret: the token, a one-time login code.
const SECRET_QUERY_KEYS: ReadonlySet<string> = new Set(['token', 'code']);
// A query parameter's name, up to its `=`; the value runs to the next `&`, space, quote or `#`.
const QUERY_KEY = /[?&;]([^=&;\s"'#?]{1,200})=/g;
const QUERY_VALUE = /[^&\s"'#]*/y;
// Where else a secret shows in text cmux logs or copies: a bearer header, a dashboard session
// header or WebSocket subprotocol, a cookie of an older cmux, an environment assignment.
const SECRET_PATTERNS: readonly RegExp[] = [
  /(\bBearer\s+)[^\s"',;]+/gi,
  /(\bx-cmux-session["']?\s*[:=]\s*["']?)[^\s"',;]+/gi,
  /(\bcmux\.session\.)[A-Za-z0-9_-]+/g,
  /(\bcmux_(?:token|session)=)[^;\s"'&]+/gi,
  /(\bCMUX_TOKEN=)[^\s"']+/g,
];

// A query parameter's name as a server reads it: percent-decoded (`to%6ben` is `token` to a
// query parser), repeatedly, in case it went through a proxy that encoded it again.
function decodedKey(raw: string): string {
  let key = raw;
  for (let round = 0; round < 3 && key.includes('%'); round += 1) {
    try {
      key = decodeURIComponent(key);
    } catch {
      key = key.replace(/%([0-9a-f]{2})/gi, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    }
  }
  return key.toLowerCase();
}

// `text` with the value of every secret query parameter, however its name is spelled, redacted.
function redactQuerySecrets(text: string): string {
  let out = '';
  let copied = 0;
  for (const match of text.matchAll(QUERY_KEY)) {
    if (!SECRET_QUERY_KEYS.has(decodedKey(match[1]!))) continue;
    const start = match.index + match[0].length;
    if (start < copied) continue;
    QUERY_VALUE.lastIndex = start;
    QUERY_VALUE.exec(text);
    const end = QUERY_VALUE.lastIndex;
    if (end === start) continue;
    out += `${text.slice(copied, start)}${REDACTED}`;
    copied = end;
  }
  return out + text.slice(copied);
}

// `text` with every secret it recognises replaced by `[redacted]`: the query parameters and
// patterns above, and each of `secrets` (e.g. the API token's value) wherever it appears.
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join(REDACTED);
  out = redactQuerySecrets(out);
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, `$1${REDACTED}`);
  return out;
}
