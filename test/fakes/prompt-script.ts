// What a fake model answers, scripted by the prompt itself, so a test says what should happen
// in the text it sends (the same words as the fake Anthropic API):
//   `DELAY <ms>`  wait that long before the answer starts (the agent reads busy meanwhile)
//   `SLOW <ms>`   stream the answer in ten parts spread over that long (interrupt mid-stream)
//   `RUN: <cmd>`  ask for the agent's shell tool to run <cmd> (to the end of the line); once the
//                 tool's result comes back, answer `Ran it.`
// Anything else gets `Echo: <first line of the prompt>`.

export type Answer = { kind: 'text'; text: string } | { kind: 'shell'; command: string };

export interface Script {
  answer: Answer;
  delayMs: number;
  slowMs: number;
}

const MAX_WAIT_MS = 120_000;

// The script for a prompt the user typed.
export function scriptFor(prompt: string): Script {
  const run = /RUN: (.+)$/m.exec(prompt);
  const answer: Answer = run ? { kind: 'shell', command: run[1]!.trim() } : { kind: 'text', text: `Echo: ${(prompt.split('\n')[0] ?? '').slice(0, 200)}` };
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
