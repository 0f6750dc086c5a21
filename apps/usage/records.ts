// One model call as an agent program recorded it in its own session log: the tokens it was
// billed for, split the way list prices are (input not read from the cache, output, cache
// reads, cache writes). Each program writes its own format; each reader takes one line and
// returns the call it records, or null for every other line.
export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface UsageRecord extends TokenCounts {
  // The program's id of the call: a program may write the same call again, updated (Claude
  // Code once per content block, Gemini CLI after a tool ran); the later line replaces it.
  id: string | null;
  at: string;
  model: string;
}

// What a reader carries from one line of a file to the next (kept with the file's offset).
export interface ReadContext {
  model?: string | undefined;
}

export type LineReader = (line: string, context: ReadContext) => UsageRecord | null;

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0);
const text = (value: unknown, fallback: string): string => (typeof value === 'string' && value !== '' ? value.slice(0, 200) : fallback);

function parse(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const object = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});

// Claude Code's transcript (<config>/projects/<folder>/<session>.jsonl): an `assistant` line
// per answer, `message.usage` as the Anthropic API returned it (input excludes the cache).
// Most lines are other things, some of them megabytes long: a cheap test skips them unparsed.
export const claudeCodeLine: LineReader = (line) => {
  if (!line.includes('"usage"') || !line.includes('"assistant"')) return null;
  const entry = parse(line);
  if (!entry || entry.type !== 'assistant') return null;
  const message = object(entry.message);
  const usage = object(message.usage);
  if (!('input_tokens' in usage) && !('output_tokens' in usage)) return null;
  return {
    id: typeof message.id === 'string' ? message.id : null,
    at: text(entry.timestamp, new Date().toISOString()),
    model: text(message.model, 'unknown'),
    input: count(usage.input_tokens),
    output: count(usage.output_tokens),
    cacheRead: count(usage.cache_read_input_tokens),
    cacheWrite: count(usage.cache_creation_input_tokens),
  };
};

// Codex's rollout (<CODEX_HOME>/sessions/YYYY/MM/DD/rollout-….jsonl): a `token_usage_record`
// per response. OpenAI counts cached input inside input_tokens, and reasoning inside output.
// The model is not on the record: it is the latest `turn_context`'s, kept in the context.
export const codexLine: LineReader = (line, context) => {
  if (line.includes('"turn_context"')) {
    const entry = parse(line);
    if (entry?.type === 'turn_context') context.model = text(object(entry.payload).model, context.model ?? 'unknown');
    return null;
  }
  if (!line.includes('"token_usage_record"')) return null;
  const entry = parse(line);
  if (!entry || entry.type !== 'token_usage_record') return null;
  const payload = object(entry.payload);
  const usage = object(payload.usage);
  const cacheRead = count(usage.cached_input_tokens);
  const cacheWrite = count(usage.cache_write_input_tokens);
  return {
    id: typeof payload.response_id === 'string' ? payload.response_id : null,
    at: text(entry.timestamp, new Date().toISOString()),
    model: context.model ?? 'unknown',
    input: Math.max(0, count(usage.input_tokens) - cacheRead - cacheWrite),
    output: count(usage.output_tokens),
    cacheRead,
    cacheWrite,
  };
};

// Gemini CLI's chat log (<home>/.gemini/tmp/<project>/chats/session-….jsonl): a `gemini`
// message per answer with `tokens`; the prompt count includes the cached part, and thoughts
// are billed as output.
export const geminiLine: LineReader = (line) => {
  if (!line.includes('"tokens"') || !line.includes('"gemini"')) return null;
  const entry = parse(line);
  if (!entry || entry.type !== 'gemini') return null;
  const tokens = object(entry.tokens);
  const cacheRead = count(tokens.cached);
  return {
    id: typeof entry.id === 'string' ? entry.id : null,
    at: text(entry.timestamp, new Date().toISOString()),
    model: text(entry.model, 'unknown'),
    input: Math.max(0, count(tokens.input) - cacheRead) + count(tokens.tool),
    output: count(tokens.output) + count(tokens.thoughts),
    cacheRead,
    cacheWrite: 0,
  };
};
