const REDACTED = '[redacted]';
// Where a secret shows in text cmux logs or copies: a token in a query string, a bearer
// header, a cmux cookie, an environment assignment, a one-time login code in a URL.
const SECRET_PATTERNS: readonly RegExp[] = [
  /([?&;]token=)[^&\s"'#]+/gi,
  /([?&;]code=)[^&\s"'#]+/gi,
  /(\bBearer\s+)[^\s"',;]+/gi,
  /(\bcmux_(?:token|session)=)[^;\s"'&]+/gi,
  /(\bCMUX_TOKEN=)[^\s"']+/g,
];

// `text` with every secret it recognises replaced by `[redacted]`: the patterns above, and
// each of `secrets` (e.g. the API token's value) wherever it appears.
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join(REDACTED);
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, `$1${REDACTED}`);
  return out;
}
