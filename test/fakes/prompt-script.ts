// What a fake model answers, scripted by the prompt itself, so a test says what should happen
// in the text it sends (the same words as the fake Anthropic API):
//   `DELAY <ms>`  wait that long before the answer starts (the agent reads busy meanwhile)
//   `SLOW <ms>`   stream the answer in ten parts spread over that long (interrupt mid-stream)
//   `RUN: <cmd>`  ask for the agent's shell tool to run <cmd> (to the end of the line); once the
//                 tool's result comes back, answer `Ran it.`
//   `CALL: <tool> #<n>`  call the offered tool whose name ends with <tool> (an MCP tool:
//                 `mcp__cmux__send_message`, `mcp_cmux_send_message`) with the input staged as
//                 <n> by callPrompt; once its result comes back, answer `Ran it.`
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

// The inputs of the calls tests asked for: the fakes run in the test's process, so a prompt
// names its input by number, and any input (40 lines, tabs and all) stays out of the input box.
const STAGED: Array<Record<string, unknown>> = [];

// The prompt that makes a fake model call `tool` with `input`.
export function callPrompt(tool: string, input: Record<string, unknown>): string {
  STAGED.push(input);
  return `CALL: ${tool} #${STAGED.length - 1}`;
}

export function scriptedCall(prompt: string): Extract<Answer, { kind: 'call' }> | null {
  const call = /CALL: ([a-z_]+) #(\d+)/.exec(prompt);
  const input = call ? STAGED[Number(call[2])] : undefined;
  return call && input ? { kind: 'call', tool: call[1]!, input } : null;
}

// The name of the offered tool that is `tool` (an MCP tool's name ends with it, after `_`, or
// after `/` in a namespace), or `fallback` when none is offered: the model then calls a tool it
// was not given.
export function offeredTool(offered: readonly string[], tool: string, fallback: string): string {
  return offered.find((name) => name === tool || name.endsWith(`_${tool}`) || name.endsWith(`/${tool}`)) ?? fallback;
}
