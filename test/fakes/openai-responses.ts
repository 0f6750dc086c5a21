import type { TokenCounts } from '../../apps/usage/index.ts';
import { openSse, sendJson, startFakeHttp, waitUnlessGone, type Exchange, type RecordedRequest } from './fake-http.ts';
import { createLimitWindow, sendLimit } from './limit-window.ts';
import { AFTER_TOOL, offeredTool, scriptFor, splitInto, type Script } from './prompt-script.ts';

// A local stand-in for the OpenAI Responses API (`POST /v1/responses`, streamed), enough for
// the real Codex CLI to run offline: a `model_providers` entry in $CODEX_HOME/config.toml with
// `base_url = "<url>/v1"`, `wire_api = "responses"` and any key in its `env_key` variable.
// Answers follow the prompt's own script (see prompt-script.ts); a shell step is Codex's
// `exec_command` tool (offered as a plain function to a model Codex has no metadata for, such
// as `gpt-fake`; known models get code-mode tools instead). Codex's side request for a thread
// title (its turn metadata says `thread_source: thread_title`) gets a title. Every request is
// recorded.

interface InputItem {
  type: string;
  role?: string;
  content?: Array<{ type: string; text?: string }>;
}

interface ResponsesBody {
  model?: string;
  tools?: unknown[];
  input?: InputItem[];
}

export interface FakeOpenAi {
  // The base URL Codex wants (`…/v1`).
  url: string;
  requests: RecordedRequest[];
  // The user's words of each main turn that started from a prompt (not a tool result), in order.
  prompts(): string[];
  close(): Promise<void>;
}

// Codex wraps its own context in tags (`<environment_context>`, `<skills_instructions>` …) and
// sends it as user messages too; the user's words are the last user message without them.
export function userPrompt(body: ResponsesBody): string | null {
  const last = body.input?.at(-1);
  if (!last || last.type !== 'message' || last.role !== 'user') return null;
  const text = (last.content ?? [])
    .filter((part) => part.type === 'input_text' && typeof part.text === 'string' && !/^<[a-z_]+>/.test(part.text))
    .map((part) => part.text!)
    .join('\n');
  return text === '' ? null : text;
}

// Codex says what each request is for, and in which sandbox, in the `x-codex-turn-metadata` header.
function turnMetadata(request: RecordedRequest): { thread_source?: string; sandbox_mode?: string } {
  const header = request.headers['x-codex-turn-metadata'];
  try {
    return JSON.parse(typeof header === 'string' ? header : '{}') as { thread_source?: string; sandbox_mode?: string };
  } catch {
    return {};
  }
}
const isMainTurn = (request: RecordedRequest): boolean => turnMetadata(request).thread_source !== 'thread_title';
const afterTool = (body: ResponsesBody): boolean => body.input?.at(-1)?.type === 'function_call_output';

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  let counter = 0;
  const limit = createLimitWindow();
  const server = await startFakeHttp(async (exchange) => {
    const { request, response } = exchange;
    if (request.method !== 'POST' || !/\/v1\/responses$/.test(request.path) || typeof request.body !== 'object' || request.body === null) {
      sendJson(response, 404, { error: { message: `the fake OpenAI API does not serve ${request.method} ${request.path}` } });
      return;
    }
    const body = request.body as ResponsesBody;
    // ChatGPT's usage limit as Codex meets it (docs/usage-limits.md).
    const resetAt = isMainTurn(request) ? limit.refuse(userPrompt(body)) : null;
    if (resetAt !== null) {
      const inSeconds = Math.ceil((resetAt - Date.now()) / 1000);
      sendLimit(
        response,
        { 'retry-after': String(inSeconds), 'x-codex-primary-used-percent': '100', 'x-codex-primary-reset-after-seconds': String(inSeconds), 'x-codex-primary-window-minutes': '300' },
        { error: { type: 'usage_limit_reached', message: 'The usage limit has been reached', plan_type: 'plus', resets_at: Math.floor(resetAt / 1000), resets_in_seconds: inSeconds } },
      );
      return;
    }
    const script: Script = !isMainTurn(request)
      ? { answer: { kind: 'text', text: JSON.stringify({ title: 'Fake task' }) }, delayMs: 0, slowMs: 0 }
      : afterTool(body)
        ? AFTER_TOOL
        : scriptFor(userPrompt(body) ?? '');
    counter += 1;
    // MCP tools come in a namespace (`mcp__cmux`): a call names the namespace and the tool.
    const offered = (body.tools ?? []).flatMap((t) => {
      const tool = t as { type?: string; name?: string; tools?: Array<{ name?: string }> };
      return tool.type === 'namespace' ? (tool.tools ?? []).map((inner) => `${tool.name}/${inner.name}`) : [String(tool.name)];
    });
    await stream(exchange, `resp_${counter}`, body.model ?? 'gpt-fake', script, turnMetadata(request).sandbox_mode !== 'danger-full-access', fakeUsage(counter), offered);
  });
  return {
    url: `${server.url}/v1`,
    requests: server.requests,
    prompts: () =>
      server.requests
        .filter((r) => r.path.endsWith('/v1/responses') && r.body && isMainTurn(r) && !afterTool(r.body as ResponsesBody))
        .map((r) => userPrompt(r.body as ResponsesBody) ?? ''),
    close: server.close,
  };
}

// The tokens the fake bills its `n`th answer, in the split of list prices (input outside the
// cache, output with reasoning, cache reads), different for each answer.
export function fakeUsage(n: number): TokenCounts {
  return { input: 50 + n, output: 9 + n, cacheRead: 150 + 2 * n, cacheWrite: 0 };
}

// As the Responses API says it: cached tokens inside input_tokens, reasoning inside output_tokens.
function apiUsage(counts: TokenCounts) {
  const input = counts.input + counts.cacheRead;
  return { input_tokens: input, input_tokens_details: { cached_tokens: counts.cacheRead }, output_tokens: counts.output, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: input + counts.output };
}

// The events of one streamed response, in the order the real API sends them.
async function stream({ request, response, gone }: Exchange, id: string, model: string, script: Script, sandboxed: boolean, usage: TokenCounts, offered: readonly string[]): Promise<void> {
  await waitUnlessGone(script.delayMs, gone);
  if (gone.aborted) return;
  const sse = openSse(response);
  let sequence = 0;
  const send = (type: string, data: Record<string, unknown>) => sse.send(type, { type, sequence_number: sequence++, ...data });
  const base = { id, object: 'response', created_at: Math.floor(Date.now() / 1000), model };
  send('response.created', { response: { ...base, status: 'in_progress', output: [] } });
  let item: Record<string, unknown>;
  if (script.answer.kind === 'text') {
    const itemId = `msg_${id}`;
    const text = script.answer.text;
    send('response.output_item.added', { output_index: 0, item: { id: itemId, type: 'message', status: 'in_progress', role: 'assistant', content: [] } });
    send('response.content_part.added', { item_id: itemId, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    const parts = splitInto(text, 10);
    for (const delta of parts) {
      send('response.output_text.delta', { item_id: itemId, output_index: 0, content_index: 0, delta });
      await waitUnlessGone(script.slowMs / parts.length, gone);
      if (gone.aborted) return;
    }
    send('response.output_text.done', { item_id: itemId, output_index: 0, content_index: 0, text });
    item = { id: itemId, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] };
  } else if (script.answer.kind === 'call') {
    const [namespace, name] = offeredTool(offered, script.answer.tool, `mcp__cmux/${script.answer.tool}`).split('/') as [string, string];
    const call = { id: `fc_${id}`, type: 'function_call', call_id: `call_${id}`, namespace, name };
    send('response.output_item.added', { output_index: 0, item: { ...call, status: 'in_progress', arguments: '' } });
    item = { ...call, status: 'completed', arguments: JSON.stringify(script.answer.input) };
  } else {
    const call = { id: `fc_${id}`, type: 'function_call', call_id: `call_${id}`, name: 'exec_command' };
    send('response.output_item.added', { output_index: 0, item: { ...call, status: 'in_progress', arguments: '' } });
    // In a sandbox, asking to run outside it, as a model does for a command that needs the
    // network (`cmux mail send` does): Codex shows its approval dialog. Without a sandbox
    // (--dangerously-bypass-approvals-and-sandbox) Codex refuses such a request, so none is made.
    const escalate = sandboxed ? { sandbox_permissions: 'require_escalated', justification: 'Run the command the user asked for?' } : {};
    const args = { cmd: script.answer.command, ...escalate };
    item = { ...call, status: 'completed', arguments: JSON.stringify(args) };
  }
  send('response.output_item.done', { output_index: 0, item });
  send('response.completed', { response: { ...base, status: 'completed', output: [item], usage: apiUsage(usage) } });
  sse.end();
  request.usage = usage;
}
