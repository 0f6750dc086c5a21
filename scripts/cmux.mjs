#!/usr/bin/env node
// The `cmux` command: runs the bundled CLI (scripts/bundle-apps.mjs), or says how to build it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/bundles/cli/index.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('cmux: the CLI is not built yet: run `npm install` (or `npm run build`) in the cmux folder\n');
  process.exit(1);
}
await import(cli);
