import type { Readable } from 'node:stream';
import { visibleControls } from '../core/src/text/index.js';

// What the CLI prints holds text from storage, agents and logs (task titles, journal entries,
// messages, terminals, patches, file names), which any agent can write. Printed as stored, an
// escape sequence in it acts on the reader's terminal: OSC 52 sets the clipboard, OSC 0 the
// title, `ESC[8m` hides what follows, `ESC[2J` clears the screen. So every line goes out with
// its control characters made visible (visibleControls) unless the person asked for `--raw`.
let raw = false;

// `--raw`: print text exactly as stored, control characters and all.
export function setRawOutput(on: boolean): void {
  raw = on;
}

function shown(text: string): string {
  return raw ? text : visibleControls(text);
}

// JSON stays exact, and its text is escaped where JSON.stringify leaves a control character as
// it is (DEL and the C1 range): a parser reads the same string, a terminal sees no control.
function jsonText(data: unknown): string {
  return JSON.stringify(data, null, 2).replace(/[\x7f-\x9f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// Prints a read command's data as JSON (for --json) on stdout.
export function printJson(data: unknown): void {
  process.stdout.write(`${jsonText(data)}\n`);
}

// Prints one line of human output on stdout.
export function say(line: string): void {
  process.stdout.write(`${shown(line)}\n`);
}

// Prints text as it is on stdout (no newline added), control characters made visible.
export function write(text: string): void {
  process.stdout.write(shown(text));
}

// Prints a notice on stderr: what the user should know while a command waits.
export function warn(line: string): void {
  process.stderr.write(`${shown(line)}\n`);
}

// Prints an error on stderr, its control characters made visible even with --raw: an error
// message may quote what a program or a repository said.
export function sayError(line: string): void {
  process.stderr.write(`${visibleControls(line)}\n`);
}

// The CLI logger's stderr: its lines may quote an agent's or a program's text.
export const stderrLines = { write: (text: string) => process.stderr.write(visibleControls(text)) } as unknown as NodeJS.WritableStream;

// Copies a stream (a program's output) to stdout as it comes, control characters made visible
// (with --raw, byte for byte); resolves when it ends. A `\r` at the end of a chunk waits for
// the next one, in case a `\n` follows it.
export function relay(stream: Readable): Promise<void> {
  const ended = new Promise<void>((resolve, reject) => {
    stream.once('end', resolve);
    stream.once('error', reject);
  });
  if (raw) {
    stream.pipe(process.stdout, { end: false });
    return ended;
  }
  stream.setEncoding('utf8');
  let held = '';
  stream.on('data', (chunk: string) => {
    const text = held + chunk;
    held = text.endsWith('\r') ? '\r' : '';
    write(held ? text.slice(0, -1) : text);
  });
  return ended.then(() => write(held));
}
