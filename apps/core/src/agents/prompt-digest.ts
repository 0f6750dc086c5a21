import { createHash } from 'node:crypto';

// A fingerprint of a prompt that survives what an agent's input box does to pasted text
// (Claude Code turns tabs into spaces and drops a lone zero-width joiner): whitespace and
// U+200D are left out, everything else counts.
export function promptDigest(text: string): string {
  return createHash('sha256').update(text.replace(/[\s\u200d]+/g, '')).digest('hex').slice(0, 32);
}
