import { appendFileSync } from 'node:fs';
import { createInputParser, type InputEvent } from './input-parser.js';

const WORK_MS = 500;
const COMPACT_MS = 1_000;
// How long a lone Escape waits for the rest of a key sequence before it counts as Escape.
const ESCAPE_WAIT_MS = 30;

export interface DemoAgentOptions {
  name: string;
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
  // Each submitted message is appended here as a JSON line (the tests' record of what arrived).
  recordFile?: string | undefined;
  // Runs the `cmux` command with `args` (as an agent's shell tool does), shows each line of what
  // it printed with `report`, then calls `done`.
  runCmux: (args: string[], report: (line: string) => void, done: () => void) => void;
  onExit: (code: number) => void;
}

// A small interactive program that behaves like a coding agent in a terminal: a prompt with a
// composer, bracketed paste shown as a placeholder, a busy phase while it "works", a yes/no
// dialog, /compact, Escape to interrupt, queued messages while busy, and mail: a message that
// says `reply to <address>: <text>` is answered through the mailbox once the work is done. A
// line `$ cmux <args>` runs that command at the end of the work, still busy, as an agent's
// last tool call does (its output shown): `$ cmux mail done "fixed"`.
export function runDemoAgent(opts: DemoAgentOptions): void {
  const out = opts.output;
  let composer = '';
  let pastes = 0;
  let state: 'idle' | 'busy' | 'waiting' = 'idle';
  let busyLabel = '';
  // What its dialog asks: `ask permission to <something>` names it, else it asks to proceed.
  let asking = 'proceed';
  let timer: NodeJS.Timeout | undefined;
  // Counts the pieces of work, so a tool that ends after an interrupt finishes nothing.
  let job = 0;
  let lastInterrupt = 0;
  const queue: string[] = [];
  let footerHeight = 0;
  const parser = createInputParser();

  const columns = () => Math.max(20, out.columns || 80);
  const clip = (line: string) => (line.length > columns() - 1 ? `${line.slice(0, columns() - 2)}…` : line);
  const composerView = () =>
    composer.includes('\n') || composer.length > 200 ? `[Pasted text #${pastes} +${composer.split('\n').length} lines]` : composer;

  function footer(): string[] {
    const lines: string[] = [];
    if (state === 'busy') lines.push(`✻ ${busyLabel}… (esc to interrupt)`);
    if (state === 'waiting') lines.push(`Do you want to ${asking}? (y/n)`);
    lines.push(`❯ ${composerView()}`);
    return lines.map(clip);
  }
  function redraw(): void {
    const up = footerHeight > 1 ? `\x1b[${footerHeight - 1}A` : '';
    const lines = footer();
    out.write(`${up}\r\x1b[J${lines.join('\r\n')}`);
    footerHeight = lines.length;
  }
  function print(...lines: string[]): void {
    const up = footerHeight > 1 ? `\x1b[${footerHeight - 1}A` : '';
    out.write(`${up}\r\x1b[J${lines.map(clip).join('\r\n')}\r\n`);
    footerHeight = 0;
    redraw();
  }

  function finish(message: string): void {
    state = 'idle';
    print(message);
    const next = queue.shift();
    if (next !== undefined) handle(next);
  }
  function work(label: string, ms: number, done: () => string, tool?: string[]): void {
    state = 'busy';
    busyLabel = label;
    const mine = ++job;
    redraw();
    timer = setTimeout(() => {
      if (!tool) return finish(done());
      print(`⏺ Bash(cmux ${tool.join(' ')})`);
      opts.runCmux(tool, (line) => print(`  ⎿ ${line}`), () => {
        if (job === mine && state === 'busy') finish(done());
      });
    }, ms);
  }

  function handle(text: string): void {
    if (opts.recordFile) appendFileSync(opts.recordFile, `${JSON.stringify({ ts: new Date().toISOString(), text })}\n`);
    const lines = text.split('\n');
    print(`> ${lines[0]}${lines.length > 1 ? ` (+${lines.length - 1} lines)` : ''}`);
    const trimmed = text.trim();
    if (trimmed === '/exit') return opts.onExit(0);
    if (trimmed === '/compact') return work('Compacting conversation', COMPACT_MS, () => '⎿ Conversation compacted');
    const permission = /\bask permission(?: to ([\w ,.'-]{1,60}))?/.exec(text);
    if (permission) {
      asking = permission[1]?.trim() || 'proceed';
      state = 'waiting';
      redraw();
      return;
    }
    const reply = /\breply to ([A-Za-z0-9][\w-]*(?::[A-Za-z0-9][\w-]*)?)[:,]?\s*(.*)/.exec(text);
    const sleep = /\bsleep (\d+(?:\.\d+)?)\b/.exec(text);
    const ms = sleep ? Math.min(Number(sleep[1]) * 1000, 3_600_000) : WORK_MS;
    const bytes = Buffer.byteLength(text);
    const tool = /^\$ cmux (.+)$/m.exec(text);
    work(
      'Working',
      ms,
      () => {
        if (reply) {
          const args = ['mail', 'send', '--to', reply[1]!, '--subject', reply[2]?.trim() || `done: ${lines[0]!.slice(0, 60)}`];
          opts.runCmux(args, (line) => print(`⎿ ${line}`), () => undefined);
        }
        return `⏺ Done: received ${bytes} bytes in ${lines.length} line(s): ${lines[0]!.slice(0, 60)}`;
      },
      tool ? words(tool[1]!) : undefined,
    );
  }

  function submit(): void {
    const text = composer;
    composer = '';
    if (text.trim() === '') return redraw();
    if (state !== 'idle') {
      queue.push(text);
      print(`⎿ Queued: ${text.split('\n')[0]!.slice(0, 60)}`);
      return;
    }
    handle(text);
  }

  function onEvent(event: InputEvent): void {
    if (state === 'waiting' && event.type === 'text') {
      const answer = event.text.trim().toLowerCase();
      if (answer === 'y' || answer === 'n') {
        state = 'idle';
        return finish(answer === 'y' ? '⏺ Done: permission granted' : '⎿ Permission denied');
      }
    }
    switch (event.type) {
      case 'text':
        composer += event.text;
        return redraw();
      case 'paste':
        pastes += 1;
        composer += event.text;
        return redraw();
      case 'enter':
        return submit();
      case 'backspace':
        composer = [...composer].slice(0, -1).join('');
        return redraw();
      case 'escape':
        if (state === 'busy' || state === 'waiting') {
          clearTimeout(timer);
          job += 1;
          queue.length = 0;
          state = 'idle';
          print('⎿ Interrupted by user');
        }
        return;
      case 'interrupt': {
        if (composer) {
          composer = '';
          return redraw();
        }
        const now = Date.now();
        if (now - lastInterrupt < 2_000) return opts.onExit(0);
        lastInterrupt = now;
        return print('Press Ctrl-C again to exit');
      }
      case 'eof':
        if (!composer) opts.onExit(0);
        return;
    }
  }

  out.write('\x1b[?2004h');
  print(`cmux demo agent · ${opts.name}`, 'A stand-in for a coding agent. `sleep N` works N seconds; /compact; Escape interrupts.');
  opts.input.setEncoding('utf8');
  opts.input.on('end', () => opts.onExit(0));
  let quiet: NodeJS.Timeout | undefined;
  opts.input.on('data', (chunk: string) => {
    clearTimeout(quiet);
    for (const event of parser.feed(chunk)) onEvent(event);
    if (parser.waiting) quiet = setTimeout(() => parser.flush().forEach(onEvent), ESCAPE_WAIT_MS);
  });
}

// A command line's words: runs of non-blanks, or "double-quoted" text as one.
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}
