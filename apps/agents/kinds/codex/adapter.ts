import type { KindAdapter } from '../adapter.js';

// OpenAI's Codex CLI: its rules (kind.yaml) say all cmux needs; run with the flags the README gives.
export const codex: KindAdapter = { name: 'codex' };
