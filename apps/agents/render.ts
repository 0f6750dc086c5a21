import { agentOf, type MailboxMessage } from '../core/src/mailbox/index.js';

// The one command cmux types for anyone but the user: `cmux compact` asks it on the caller's
// behalf (an agent may run that command anyway), and a tagged `/compact` would be a prompt.
export const COMPACT_COMMAND = '/compact';

// The one sender-tag rule: the user's words arrive as they were written; anyone else's arrive
// under a `[sender]` tag, so the agent knows who speaks and never runs them as a slash command
// (or a shell escape) of its own.
export function tagged(text: string, from: string): string {
  return from === 'user' ? text : `[${from}] ${text}`;
}

// The text typed into an agent for a message: its subject and body, said once (see
// withoutRepeat), under its sender's tag. A body too large to type is pointed at.
export function renderForAgent(message: MailboxMessage): string {
  if (isCompactRequest(message)) return COMPACT_COMMAND;
  const pointer = message.bodyFile ? `(The full message is in ${message.bodyFile}.)` : null;
  if (message.from === 'user') return message.body ?? (pointer ? `${message.subject}\n\n${pointer}` : message.subject);
  const rest = message.body ?? pointer;
  return tagged(rest === null ? message.subject : withoutRepeat(message.subject, rest), message.from);
}

// A subject and a body as one text in which nothing is said twice and nothing is lost:
// - the body alone when the subject is (the start of) one of its lines: a task under a worker's
//   preamble, a role instruction whose subject is its first line cut short with `…`;
// - `label: body` when the subject is `label: <the start of the body>`: a report
//   `done: X` with body X, an assignment `task #3: title` whose body starts with the title;
// - otherwise the subject, a blank line and the body.
// "The start" ends at a word's end (a subject `fix` does not swallow a body `fixed it`) unless
// the subject was cut short (`…`, as summarise() cuts a long first line).
export function withoutRepeat(subject: string, body: string): string {
  if (startsALine(subject, body)) return body;
  const colon = subject.indexOf(': ');
  if (colon > 0 && colon <= MAX_LABEL_CHARS && startsAt(subject.slice(colon + 2), body, body.search(/\S|$/))) {
    return `${subject.slice(0, colon)}: ${body.trimStart()}`;
  }
  return `${subject}\n\n${body}`;
}

const MAX_LABEL_CHARS = 40;

function startsALine(subject: string, body: string): boolean {
  for (let line = 0; line !== -1 && line <= body.length; line = nextLine(body, line)) {
    if (startsAt(subject, body, line + (/^[ \t]*/.exec(body.slice(line))?.[0].length ?? 0))) return true;
  }
  return false;
}

function nextLine(text: string, from: number): number {
  const at = text.indexOf('\n', from);
  return at === -1 ? -1 : at + 1;
}

// Whether `text` (a subject, or its part after a label) is written in `body` at `at`.
function startsAt(text: string, body: string, at: number): boolean {
  const cut = text.endsWith('…');
  const wanted = (cut ? text.slice(0, -1) : text).trimEnd();
  if (wanted.trim() === '' || !body.startsWith(wanted, at)) return false;
  return cut || !/[\p{L}\p{N}_]/u.test(body.charAt(at + wanted.length));
}

// `cmux compact`'s message, from the user or an agent: the command alone, nothing else.
function isCompactRequest(message: MailboxMessage): boolean {
  return (message.from === 'user' || agentOf(message.from) !== null) && message.subject === COMPACT_COMMAND && (message.body ?? COMPACT_COMMAND) === COMPACT_COMMAND;
}
