import { CmuxError } from '../errors/index.js';

// Bytes tmux's command parser (cmd-parse.y in 3.3a) takes as themselves inside double quotes:
// printable ASCII but `"` (the end of the string), `\` (an escape), `$` (a variable) and `~`
// (a home folder). Everything else — those four, control characters, a newline, which would
// end the command, DEL and every byte of a non-ASCII character — goes as a three-digit octal
// escape, which the parser turns back into that byte.
const NEEDS_ESCAPE = /[^ !#%&'()*+,\-./0-9:;<=>?@A-Z[\]^_`a-z{|}]/gu;
const escapes = new Map<string, string>();

function escapeChar(char: string): string {
  let escaped = escapes.get(char);
  if (escaped === undefined) {
    escaped = [...Buffer.from(char)].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('');
    if (escapes.size < 4_096) escapes.set(char, escaped);
  }
  return escaped;
}

// One argument as tmux's parser must read it to get exactly `arg` back: every argument in
// double quotes, so no caller's byte — `;`, `#`, quotes, `$`, `~`, a newline, unicode — is read
// as syntax. The parser's strings end at a NUL, which no argument can hold (as none in argv can).
export function quoteArgument(arg: string): string {
  if (arg.includes('\0')) {
    throw new CmuxError('CMUX_ERR_TMUX_FAILED', 'a tmux argument cannot hold a NUL byte', { context: { length: arg.length } });
  }
  return `"${arg.replace(NEEDS_ESCAPE, escapeChar)}"`;
}

// A control-mode command line (without its newline): the commands as a sequence, which tmux runs
// in turn and stops at the first that fails, each answered in its own %begin/%end block.
export function commandLine(commands: ReadonlyArray<readonly string[]>): string {
  return commands.map((args) => args.map(quoteArgument).join(' ')).join(' ; ');
}
