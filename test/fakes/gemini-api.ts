import type { TokenCounts } from '../../apps/usage/index.ts';
import { openSse, sendJson, startFakeHttp, waitUnlessGone, type Exchange, type RecordedRequest } from './fake-http.ts';
import { createLimitWindow, sendLimit } from './limit-window.ts';
import { AFTER_TOOL, offeredTool, scriptFor, splitInto, type Script } from './prompt-script.ts';

// A local stand-in for the Gemini API (`/v1beta/models/<model>:streamGenerateContent?alt=sse`
// and `:generateContent`), enough for the real Gemini CLI to run offline with
// GOOGLE_GEMINI_BASE_URL pointed here, any GEMINI_API_KEY and `gemini-api-key` auth.
// A streamed request is a turn of the conversation: it follows the prompt's own script (see
// prompt-script.ts); a shell step is Gemini's `run_shell_command` tool. A plain
// generateContent is one of the CLI's side questions (which model to route to, who speaks
// next…): it gets a JSON object that fits the schema asked for. `LIMIT <s>` in a prompt opens
// a usage limit (limit-window.ts): turns get the API's 429 until it lifts. Every request is
// recorded.

interface Part {
  text?: string;
  functionCall?: unknown;
  functionResponse?: unknown;
}

interface GenerateBody {
  contents?: Array<{ role?: string; parts?: Part[] }>;
  tools?: Array<{ functionDeclarations?: Array<{ name?: string }> }>;
  generationConfig?: { responseJsonSchema?: JsonSchema; responseSchema?: JsonSchema };
}

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  enum?: string[];
}

export interface FakeGemini {
  url: string;
  requests: RecordedRequest[];
  // The user's words of each streamed turn that started from a prompt (not a tool result).
  prompts(): string[];
  close(): Promise<void>;
}

const SHELL_TOOL = 'run_shell_command';

// Gemini CLI sends its own context (`<session_context>` …) as user text too; the user's words
// are the other text parts of the last user message.
export function userPrompt(body: GenerateBody): string | null {
  const last = body.contents?.at(-1);
  if (!last || last.role !== 'user' || !last.parts) return null;
  const text = last.parts
    .filter((part) => typeof part.text === 'string' && !/^<[a-z_]+>/.test(part.text))
    .map((part) => part.text!)
    .join('');
  return text === '' ? null : text;
}

const afterTool = (body: GenerateBody): boolean => body.contents?.at(-1)?.parts?.some((part) => part.functionResponse !== undefined) ?? false;
const isTurn = (request: RecordedRequest): boolean => request.method === 'POST' && request.path.endsWith(':streamGenerateContent');

export async function startFakeGemini(): Promise<FakeGemini> {
  let counter = 0;
  const limit = createLimitWindow();
  const server = await startFakeHttp(async (exchange) => {
    const { request, response } = exchange;
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as GenerateBody;
    const model = /models\/([^:/]+):/.exec(request.path)?.[1] ?? 'gemini-fake';
    const resetAt = isTurn(request) ? limit.refuse(userPrompt(body)) : null;
    if (resetAt !== null) {
      sendLimit(response, { 'content-type': 'application/json; charset=UTF-8' }, quotaExhausted(model, Math.ceil((resetAt - Date.now()) / 1000)));
      return;
    }
    const usage = fakeUsage(++counter);
    if (isTurn(request)) {
      const offered = (body.tools ?? []).flatMap((t) => (t.functionDeclarations ?? []).map((f) => String(f.name)));
      await stream(exchange, model, afterTool(body) ? AFTER_TOOL : scriptFor(userPrompt(body) ?? ''), usage, offered);
    } else if (request.method === 'POST' && request.path.endsWith(':generateContent')) {
      const schema = body.generationConfig?.responseJsonSchema ?? body.generationConfig?.responseSchema;
      sendJson(response, 200, chunk(model, [{ text: JSON.stringify(fitSchema(schema)) }], usage, 'STOP'));
      request.usage = usage;
    } else if (request.method === 'POST' && request.path.endsWith(':countTokens')) {
      sendJson(response, 200, { totalTokens: 10 });
    } else {
      sendJson(response, 404, { error: { code: 404, message: `the fake Gemini API does not serve ${request.method} ${request.path}`, status: 'NOT_FOUND' } });
    }
  });
  return {
    url: server.url,
    requests: server.requests,
    prompts: () =>
      server.requests
        .filter((r) => isTurn(r) && !afterTool(r.body as GenerateBody))
        .map((r) => userPrompt(r.body as GenerateBody) ?? ''),
    close: server.close,
  };
}

// The Gemini API's answer to a request over an API key's per-minute quota (as users have
// reported it): no Retry-After header; the delay is the body's RetryInfo. Gemini CLI reads a
// per-minute QuotaFailure with a RetryInfo as a limit to wait out (a per-day one it does not
// retry).
function quotaExhausted(model: string, inSeconds: number) {
  return {
    error: {
      code: 429,
      message: 'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
      status: 'RESOURCE_EXHAUSTED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            {
              quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
              quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
              quotaDimensions: { location: 'global', model },
              quotaValue: '10',
            },
          ],
        },
        { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${inSeconds}s` },
      ],
    },
  };
}

// The tokens the fake bills its `n`th answer, in the split of list prices (input outside the
// cache, output with thoughts, cache reads), different for each answer.
export function fakeUsage(n: number): TokenCounts {
  return { input: 60 + n, output: 11 + n, cacheRead: 200 + 3 * n, cacheWrite: 0 };
}

const THOUGHTS = 3;

// As the Gemini API says it: the cached part inside promptTokenCount, thoughts apart.
function usageMetadata(counts: TokenCounts) {
  const prompt = counts.input + counts.cacheRead;
  return { promptTokenCount: prompt, cachedContentTokenCount: counts.cacheRead, candidatesTokenCount: counts.output - THOUGHTS, thoughtsTokenCount: THOUGHTS, totalTokenCount: prompt + counts.output };
}

function chunk(model: string, parts: unknown[], usage: TokenCounts, finishReason?: string) {
  return {
    candidates: [{ content: { role: 'model', parts }, index: 0, ...(finishReason ? { finishReason } : {}) }],
    usageMetadata: usageMetadata(usage),
    modelVersion: model,
  };
}

// A value for a side question's JSON schema: the user speaks next, the router picks the light
// model, strings say `fake`.
function fitSchema(schema: JsonSchema | undefined): unknown {
  if (!schema) return {};
  const answers: Record<string, unknown> = { next_speaker: 'user', model_choice: 'flash' };
  const value = (name: string, s: JsonSchema): unknown => {
    if (name in answers) return answers[name];
    if (s.enum?.length) return s.enum[0];
    switch ((s.type ?? 'string').toLowerCase()) {
      case 'object':
        return fitSchema(s);
      case 'array':
        return [];
      case 'boolean':
        return false;
      case 'number':
      case 'integer':
        return 0;
      default:
        return 'fake';
    }
  };
  return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, s]) => [name, value(name, s)]));
}

// The SSE chunks of one streamed answer (data-only events, as the real API sends them).
async function stream({ request, response, gone }: Exchange, model: string, script: Script, usage: TokenCounts, offered: readonly string[]): Promise<void> {
  await waitUnlessGone(script.delayMs, gone);
  if (gone.aborted) return;
  const sse = openSse(response);
  if (script.answer.kind === 'text') {
    const parts = splitInto(script.answer.text, 10);
    for (const [i, text] of parts.entries()) {
      sse.send(null, chunk(model, [{ text }], usage, i === parts.length - 1 ? 'STOP' : undefined));
      if (i < parts.length - 1) await waitUnlessGone(script.slowMs / parts.length, gone);
      if (gone.aborted) return;
    }
  } else if (script.answer.kind === 'call') {
    sse.send(null, chunk(model, [{ functionCall: { name: offeredTool(offered, script.answer.tool, `mcp_cmux_${script.answer.tool}`), args: script.answer.input } }], usage, 'STOP'));
  } else {
    sse.send(null, chunk(model, [{ functionCall: { name: SHELL_TOOL, args: { command: script.answer.command, description: 'Run the command the user asked for' } } }], usage, 'STOP'));
  }
  sse.end();
  request.usage = usage;
}
