import type { KindAdapter } from '../adapter.js';

// Google's Gemini CLI: its rules (kind.yaml) say all cmux needs; run with the flags the README gives.
export const gemini: KindAdapter = { name: 'gemini' };
