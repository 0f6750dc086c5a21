// What a fake model answers, scripted by the prompt itself, so a test says what should happen
// in the text it sends (the same words as the fake Anthropic API):
//   `DELAY <ms>`  wait that long before the answer starts (the agent reads busy meanwhile)
//   `SLOW <ms>`   stream the answer in ten parts spread over that long (interrupt mid-stream)
//   `RUN: <cmd>`  ask for the agent's shell tool to run <cmd> (to the end of the line); once the
//                 tool's result comes back, answer `Ran it.`
//   `CALL: <tool> <base64url JSON>`  call the offered tool whose name ends with <tool> (an MCP
//                 tool: `mcp__cmux__send_message`, `mcp_cmux_send_message`) with that input
//                 (see callPrompt); once its result comes back, answer `Ran it.`
// Anything else gets `Echo: <first line of the prompt>`.

export type Answer = { kind: 'text'; text: string } | { kind: 'shell'; command: string } | { kind: 'call'; tool: string; input: Record<string, unknown> };

export interface Script {
  answer: Answer;
  delayMs: number;
  slowMs: number;
}

const MAX_WAIT_MS = 120_000;

// The script for a prompt the user typed.
export function scriptFor(prompt: string): Script {
  const run = /RUN: (.+)$/m.exec(prompt);
  const answer: Answer = scriptedCall(prompt) ?? (run ? { kind: 'shell', command: run[1]!.trim() } : { kind: 'text', text: `Echo: ${(prompt.split('\n')[0] ?? '').slice(0, 200)}` });
  return { answer, delayMs: scriptedMs(prompt, 'DELAY'), slowMs: scriptedMs(prompt, 'SLOW') };
}

// The answer once the shell tool's result came back.
export const AFTER_TOOL: Script = { answer: { kind: 'text', text: 'Ran it.' }, delayMs: 0, slowMs: 0 };

function scriptedMs(prompt: string, word: string): number {
  const match = new RegExp(`${word} (\\d+)`).exec(prompt);
  return match ? Math.min(Number(match[1]), MAX_WAIT_MS) : 0;
}

// `text` in `parts` pieces of about equal length (at least one, possibly empty).
export function splitInto(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / parts));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [''];
}

// The prompt that makes a fake model call `tool` with `input`: any text survives the way in,
// tabs and all, since the input travels encoded.
export function callPrompt(tool: string, input: Record<string, unknown>): string {
  return `CALL: ${tool} ${Buffer.from(JSON.stringify(input)).toString('base64url')}`;
}

export function scriptedCall(prompt: string): Extract<Answer, { kind: 'call' }> | null {
  const call = /CALL: ([a-z_]+) ([A-Za-z0-9_-]+)/.exec(prompt);
  return call ? { kind: 'call', tool: call[1]!, input: JSON.parse(Buffer.from(call[2]!, 'base64url').toString('utf8')) as Record<string, unknown> } : null;
}

// The name of the offered tool that is `tool` (an MCP tool's name ends with it), or
// `fallback` when none is offered: the model then calls a tool it was not given.
export function offeredTool(offered: readonly string[], tool: string, fallback: string): string {
  return offered.find((name) => name === tool || name.endsWith(`_${tool}`)) ?? fallback;
}
