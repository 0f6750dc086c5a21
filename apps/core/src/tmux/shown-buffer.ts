// `show-buffer` answers a control client with the buffer escaped the way vis(3) does it with
// VIS_OCTAL | VIS_CSTYLE: a backslash doubled, \a \b \t \v \f \r for those controls, \ooo for
// every other byte that is no printable character (controls, DEL, a byte of broken UTF-8),
// each newline as the end of a line, and one more newline after the last line.
const CSTYLE: Readonly<Record<string, number>> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, s: 32, '0': 0, '\\': 92 };
const OCTAL = /^[0-3][0-7]{2}$/;

// The buffer's bytes from the text of its `show-buffer` block.
export function unescapeShownBuffer(shown: string): Buffer {
  const text = shown.endsWith('\n') ? shown.slice(0, -1) : shown;
  const parts: Buffer[] = [];
  let plain = 0;
  for (let at = text.indexOf('\\'); at !== -1; at = text.indexOf('\\', plain)) {
    parts.push(Buffer.from(text.slice(plain, at), 'utf8'));
    const octal = text.slice(at + 1, at + 4);
    if (OCTAL.test(octal)) {
      parts.push(Buffer.of(Number.parseInt(octal, 8)));
      plain = at + 4;
      continue;
    }
    const byte = CSTYLE[text[at + 1] ?? ''];
    // A backslash before anything else (never written by tmux) is kept as it stands.
    parts.push(byte === undefined ? Buffer.from('\\') : Buffer.of(byte));
    plain = byte === undefined ? at + 1 : at + 2;
  }
  parts.push(Buffer.from(text.slice(plain), 'utf8'));
  return Buffer.concat(parts);
}
