import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { offeredTool, scriptedCall } from './prompt-script.ts';
import type { TokenCounts } from '../../apps/usage/index.ts';
import { createLimitWindow, sendLimit } from './limit-window.ts';

// A local stand-in for the Anthropic Messages API, enough for the real Claude Code to run
// offline (ANTHROPIC_BASE_URL pointed here, any ANTHROPIC_API_KEY). Every request is recorded.
// What it answers is scripted by the prompt itself, so a test says what should happen in the
// text it sends:
//   `DELAY <ms>`  wait that long before the answer starts (the agent reads busy meanwhile)
//   `SLOW <ms>`   stream the answer in ten parts spread over that long (interrupt mid-stream)
//   `RUN: <cmd>`  ask for the Bash tool to run <cmd> (to the end of the line); once the tool's
//                 result comes back, answer `Ran it.`
//   `CALL: <tool> <input>`  call an MCP tool (see prompt-script.ts); then answer `Ran it.`
//   `LIMIT <s>`   answer this and every main request after it with the API's 429 rate-limit
//                 error until <s> seconds have passed (limit-window.ts), as the real API does
// Anything else gets `Echo: <first line of the prompt>`; a request with no tools (Claude's
// side requests, such as a title) gets a short title. A base URL of `<url>/c/<name>` tells
// the requests of one client apart (each agent gets its own).

export interface RecordedRequest {
  method: string;
  path: string;
  // The `<name>` of a `/c/<name>` base URL, or null.
  client: string | null;
  at: number;
  body: MessagesBody | null;
  // Set when the client hung up before the answer ended (an interrupt).
  aborted: boolean;
  // Set when it was answered with the rate limit's 429 (`LIMIT <s>`).
  limited: boolean;
  // When the answer's last byte was sent (null while it streams, or when it was cut off).
  finishedAt: number | null;
  // How many text parts of the answer were sent so far.
  sentParts: number;
  // The tokens its answer billed (fakeUsage): all of them once the answer was sent whole, the
  // input and one output token when it was cut off after its start.
  usage: TokenCounts | null;
}

interface ContentBlock {
  type: string;
  text?: string;
  content?: unknown;
  tool_use_id?: string;
}

interface MessagesBody {
  model?: string;
  stream?: boolean;
  tools?: unknown[];
  messages?: Array<{ role: string; content: string | ContentBlock[] }>;
}

export interface FakeAnthropic {
  url: string;
  requests: RecordedRequest[];
  // The main requests that carry a new prompt (they offer tools; a tool result is no prompt),
  // of one client or of all.
  turns(client?: string): Array<{ prompt: string; request: RecordedRequest }>;
  // What the user typed, one entry per prompt the API received.
  prompts(client?: string): string[];
  // The text of each tool result one client (null: the default base URL) sent back, in order,
  // with whether it was an error.
  toolResults(client: string | null): Array<{ text: string; isError: boolean }>;
  close(): Promise<void>;
}

type Answer = { kind: 'text'; text: string } | { kind: 'tool'; name: string; input: Record<string, unknown> };

// Claude Code's own notes in a user message: context reminders, the record of a turn the user
// interrupted, and the record of a local command such as /compact (a resumed session opens the
// next prompt's message with them).
const REMINDER = /^<system-reminder>/;
const INTERRUPTED = /^\[Request interrupted by user[^\]]*\]\n*/;
const LOCAL_COMMAND = /<(local-command-caveat|command-name|command-message|command-args|local-command-stdout)>[\s\S]*?<\/\1>\s*/g;

// The user's own words in a message, without Claude Code's own notes.
export function userText(content: string | ContentBlock[]): string {
  const blocks = typeof content === 'string' ? [content] : content.filter((b) => b.type === 'text' && typeof b.text === 'string').map((b) => b.text!);
  return blocks
    .filter((text) => !REMINDER.test(text))
    .map((text) => text.replace(INTERRUPTED, '').replace(LOCAL_COMMAND, ''))
    .filter((text) => text !== '')
    .join('\n');
}

// A tool result's content as text: a string, or its text blocks joined.
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  return Array.isArray(content) ? content.map((b: { text?: unknown }) => (typeof b.text === 'string' ? b.text : '')).join('') : '';
}

function lastUserMessage(body: MessagesBody): { role: string; content: string | ContentBlock[] } | undefined {
  return body.messages?.filter((m) => m.role === 'user').at(-1);
}

function answerFor(body: MessagesBody): Answer {
  if (!body.tools || body.tools.length === 0) return { kind: 'text', text: 'A short title' };
  const last = lastUserMessage(body);
  if (!last) return { kind: 'text', text: 'Hello.' };
  if (Array.isArray(last.content) && last.content.some((block) => block.type === 'tool_result')) return { kind: 'text', text: 'Ran it.' };
  const text = userText(last.content);
  const call = scriptedCall(text);
  if (call) {
    const offered = body.tools.map((t) => String((t as { name?: unknown }).name));
    return { kind: 'tool', name: offeredTool(offered, call.tool, `mcp__cmux__${call.tool}`), input: call.input };
  }
  const run = /RUN: (.+)$/m.exec(text);
  if (run) return { kind: 'tool', name: 'Bash', input: { command: run[1]!.trim(), description: 'Run the command the user asked for' } };
  return { kind: 'text', text: `Echo: ${(text.split('\n')[0] ?? '').slice(0, 200)}` };
}

function scriptedMs(body: MessagesBody, word: string): number {
  const last = lastUserMessage(body);
  if (!last || !body.tools?.length || (Array.isArray(last.content) && last.content.some((b) => b.type === 'tool_result'))) return 0;
  const match = new RegExp(`${word} (\\d+)`).exec(userText(last.content));
  return match ? Math.min(Number(match[1]), 120_000) : 0;
}

// The tokens the fake bills its `n`th answer, as the Anthropic API counts them (input without
// the cache), different for each answer so that a sum tells which answers were counted.
export function fakeUsage(n: number): TokenCounts {
  return { input: 100 + n, output: 7 + n, cacheRead: 1000 + 10 * n, cacheWrite: 50 + n };
}

// The usage object of an answer: message_start's says one output token so far (as the real
// API's does), the final one (message_delta's, and a whole non-streamed message's) all of them.
function apiUsage(counts: TokenCounts, final: boolean) {
  return { input_tokens: counts.input, output_tokens: final ? counts.output : 1, cache_creation_input_tokens: counts.cacheWrite, cache_read_input_tokens: counts.cacheRead };
}

function message(id: string, model: string, content: unknown[], stopReason: string | null, usage: ReturnType<typeof apiUsage>) {
  return { id, type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage };
}

// The SSE events of one answer, in the order the real API sends them.
function sseEvents(id: string, model: string, answer: Answer, usage: TokenCounts): Array<{ event: string; data: unknown }> {
  const events: Array<{ event: string; data: unknown }> = [{ event: 'message_start', data: { type: 'message_start', message: message(id, model, [], null, apiUsage(usage, false)) } }];
  if (answer.kind === 'text') {
    events.push({ event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } });
    const parts = splitInto(answer.text, 10);
    for (const part of parts) {
      events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: part } } });
    }
  } else {
    events.push({
      event: 'content_block_start',
      data: { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: `toolu_${id}`, name: answer.name, input: {} } },
    });
    const json = JSON.stringify(answer.input);
    events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: json } } });
  }
  events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } });
  events.push({
    event: 'message_delta',
    data: { type: 'message_delta', delta: { stop_reason: answer.kind === 'tool' ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: apiUsage(usage, true) },
  });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return events;
}

function splitInto(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / parts));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [''];
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

export async function startFakeAnthropic(): Promise<FakeAnthropic> {
  const requests: RecordedRequest[] = [];
  let counter = 0;
  const open = new Set<ServerResponse>();
  const limit = createLimitWindow();

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const full = (request.url ?? '/').split('?')[0]!;
    const scoped = /^\/c\/([A-Za-z0-9_-]{1,64})(\/.*)$/.exec(full);
    const path = scoped ? scoped[2]! : full;
    const raw = await readBody(request);
    let body: MessagesBody | null = null;
    try {
      body = raw ? (JSON.parse(raw) as MessagesBody) : null;
    } catch {
      body = null;
    }
    const record: RecordedRequest = { method: request.method ?? 'GET', path, client: scoped ? scoped[1]! : null, at: Date.now(), body, aborted: false, limited: false, finishedAt: null, sentParts: 0, usage: null };
    requests.push(record);
    if (path !== '/v1/messages' || request.method !== 'POST' || !body) {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const gone = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) {
        record.aborted = true;
        gone.abort();
      }
    });
    // The API's rate limit as Claude Code meets it (docs/usage-limits.md); side requests (no
    // tools: a title) are not refused, so only the turn itself waits.
    const last = body.tools?.length ? lastUserMessage(body) : undefined;
    const resetAt = last ? limit.refuse(userText(last.content)) : null;
    if (resetAt !== null) {
      const inSeconds = Math.ceil((resetAt - Date.now()) / 1000);
      sendLimit(
        response,
        {
          'retry-after': String(inSeconds),
          'anthropic-ratelimit-unified-status': 'rejected',
          'anthropic-ratelimit-unified-reset': String(Math.floor(resetAt / 1000)),
          'anthropic-ratelimit-unified-representative-claim': 'five_hour',
          'request-id': `req_fake_limit_${requests.length}`,
        },
        { type: 'error', error: { type: 'rate_limit_error', message: "This request would exceed your account's rate limit. Please try again later." } },
      );
      record.limited = true;
      record.finishedAt = Date.now();
      return;
    }
    const id = `msg_fake_${++counter}`;
    const usage = fakeUsage(counter);
    const model = body.model ?? 'claude-fake';
    const answer = answerFor(body);
    await sleep(scriptedMs(body, 'DELAY'), gone.signal);
    if (gone.signal.aborted) return;
    if (!body.stream) {
      const content = answer.kind === 'text' ? [{ type: 'text', text: answer.text }] : [{ type: 'tool_use', id: `toolu_${id}`, name: answer.name, input: answer.input }];
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(message(id, model, content, answer.kind === 'tool' ? 'tool_use' : 'end_turn', apiUsage(usage, true))));
      record.usage = usage;
      record.finishedAt = Date.now();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const events = sseEvents(id, model, answer, usage);
    const slowMs = scriptedMs(body, 'SLOW');
    const deltas = events.filter((e) => e.event === 'content_block_delta').length;
    for (const { event, data } of events) {
      if (gone.signal.aborted) return;
      response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      // A stream cut off after its start was billed what its start said.
      if (event === 'message_start') record.usage = { ...usage, output: 1 };
      if (event === 'content_block_delta') record.sentParts += 1;
      if (event === 'content_block_delta' && slowMs > 0) await sleep(slowMs / deltas, gone.signal);
    }
    response.end();
    record.finishedAt = Date.now();
    record.usage = usage;
  }

  const server: Server = createServer((request, response) => {
    open.add(response);
    response.on('close', () => open.delete(response));
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const fake: FakeAnthropic = {
    url: `http://127.0.0.1:${port}`,
    requests,
    turns(client) {
      return requests.flatMap((request) => {
        if (client !== undefined && request.client !== client) return [];
        const last = request.path === '/v1/messages' && request.body?.tools?.length ? lastUserMessage(request.body) : undefined;
        if (!last || (Array.isArray(last.content) && last.content.some((b) => b.type === 'tool_result'))) return [];
        return [{ prompt: userText(last.content), request }];
      });
    },
    prompts(client) {
      return fake.turns(client).map((t) => t.prompt);
    },
    toolResults(client) {
      return requests.flatMap((request) => {
        if (request.client !== client || request.path !== '/v1/messages' || !request.body?.tools?.length) return [];
        const last = lastUserMessage(request.body);
        if (!last || !Array.isArray(last.content)) return [];
        return last.content.filter((b) => b.type === 'tool_result').map((b) => ({ text: contentText(b.content), isError: (b as { is_error?: boolean }).is_error === true }));
      });
    },
    async close() {
      for (const response of open) response.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
