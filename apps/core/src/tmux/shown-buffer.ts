// How a control client reads a buffer back with `show-buffer`. tmux up to 3.3 escapes it the
// way vis(3) does: each newline as the end of a line; \a \b \t \v \f \r for those controls;
// \ooo for every other byte that is no printable character (controls, DEL, a byte of broken
// UTF-8); and a backslash before a character that stands for itself (a backslash, a `$` that
// starts a shell variable). tmux 3.4 and later send it as it is. Either way one newline follows.
// Which one a server does is asked once per connection: it shows SHOW_PROBE back.
export type ShownBufferReading = 'escaped' | 'raw';

export const SHOW_PROBE = 'a\\b $VAR \u00e9';

const CSTYLE: Readonly<Record<string, number>> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '0': 0 };
const OCTAL = /^[0-3][0-7]{2}$/;

// How this server shows buffers, from its answer to SHOW_PROBE; null when it is neither way
// (a server that replaces what it cannot print): then buffers are not read back this way.
export function shownBufferReading(answer: string): ShownBufferReading | null {
  if (answer === `${SHOW_PROBE}\n`) return 'raw';
  return unescapeShownBuffer(answer).toString('utf8') === SHOW_PROBE ? 'escaped' : null;
}

// The buffer's text from its `show-buffer` block.
export function shownBufferText(answer: string, reading: ShownBufferReading): string {
  return reading === 'raw' ? answer.slice(0, answer.endsWith('\n') ? -1 : undefined) : unescapeShownBuffer(answer).toString('utf8');
}

// The buffer's bytes from an escaped `show-buffer` block.
export function unescapeShownBuffer(shown: string): Buffer {
  const text = shown.endsWith('\n') ? shown.slice(0, -1) : shown;
  const parts: Buffer[] = [];
  let plain = 0;
  for (let at = text.indexOf('\\'); at !== -1 && at + 1 < text.length; at = text.indexOf('\\', plain)) {
    parts.push(Buffer.from(text.slice(plain, at), 'utf8'));
    const octal = text.slice(at + 1, at + 4);
    if (OCTAL.test(octal)) {
      parts.push(Buffer.of(Number.parseInt(octal, 8)));
      plain = at + 4;
      continue;
    }
    const next = String.fromCodePoint(text.codePointAt(at + 1)!);
    const control = CSTYLE[next];
    parts.push(control === undefined ? Buffer.from(next, 'utf8') : Buffer.of(control));
    plain = at + 1 + next.length;
  }
  parts.push(Buffer.from(text.slice(plain), 'utf8'));
  return Buffer.concat(parts);
}
