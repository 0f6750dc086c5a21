import { join } from 'node:path';
import { shellQuote } from '../../../core/src/agents/index.js';
import type { KindAdapter } from '../adapter.js';

// The bundled demo agent (apps/demo-agent), run with this node: the default when no other
// program is installed, so it is always there.
export const demo: KindAdapter = {
  name: 'demo',
  defaultCommand: (root) => `${shellQuote(process.execPath)} ${shellQuote(join(root, 'dist', 'apps', 'demo-agent', 'index.js'))}`,
};
