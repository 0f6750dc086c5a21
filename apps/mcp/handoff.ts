import { setTimeout as sleep } from 'node:timers/promises';

type Call = <T>(method: string, path: string, body?: unknown) => Promise<T>;

interface Message {
  ts: string;
  from: string;
  to: string;
  subject: string;
  body?: string;
}

export interface HandoffResult {
  [key: string]: unknown;
  outcome: 'done' | 'blocked' | 'reply' | 'timeout';
  task: number;
  from: string;
  text: string | null;
}

const POLL_MS = 1_000;

// Puts `task` on the board assigned to `to` (so it is sent to it, from the caller), then waits
// for `to`'s first answer to the caller since: a done or blocked report, or a reply (progress
// reports are not answers). Its first line is the task's title, the rest its description.
export async function handoff(call: Call, args: { to: string; task: string; wait_seconds: number }): Promise<HandoffResult> {
  const [first = '', ...rest] = args.task.trim().split('\n');
  const since = new Date().toISOString();
  const added = await call<{ id: number }>('POST', '/api/me/tasks', { title: first.slice(0, 500), ...(rest.length > 0 ? { description: rest.join('\n') } : {}), assignee: args.to });
  const deadline = Date.now() + args.wait_seconds * 1_000;
  do {
    const messages = await call<Message[]>('GET', `/api/me/messages?limit=200&since=${encodeURIComponent(since)}`);
    const answer = messages.find((m) => sameAgent(m.from, args.to) && !/^status: /.test(m.subject) && !/^task #\d+: /.test(m.subject));
    if (answer) {
      const kind = /^(done|blocked): /.exec(answer.subject)?.[1] as 'done' | 'blocked' | undefined;
      return { outcome: kind ?? 'reply', task: added.id, from: answer.from, text: answer.body ?? answer.subject };
    }
    await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
  } while (Date.now() < deadline);
  return { outcome: 'timeout', task: added.id, from: args.to, text: null };
}

// `from` names the agent `to` names: the same name, or it in another session (`session:name`).
function sameAgent(from: string, to: string): boolean {
  return from === to || from.endsWith(`:${to}`) || to.endsWith(`:${from}`);
}
