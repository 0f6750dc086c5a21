#!/usr/bin/env node
// Bundles each PM2 app's compiled entry (dist/apps/<app>/index.js, from `tsc -b`) into one
// tree-shaken file in dist/bundles, the file PM2 runs (see appEntry in core's ecosystem), and
// the CLI into dist/bundles/cli (scripts/cmux.mjs runs it), one chunk per command group so a
// run loads its own command's code: half the start time of the module tree, which fifty
// `cmux spawn` at once pay fifty times. Whitespace and syntax are minified, names are not: a
// stack trace in an error log still names the function it came from.
import { build } from 'esbuild';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const ecosystem = join(root, 'dist', 'apps', 'core', 'src', 'ecosystem', 'index.js');
if (!existsSync(ecosystem)) {
  process.stderr.write('bundle-apps: dist/ is not compiled yet: run `npx tsc -b` first (or `npm run build`, which does both)\n');
  process.exit(1);
}
const { ALL_APP_NAMES, appEntry } = await import(ecosystem);

// Loaded only where and when needed (a native addon, the PM2 API, a browser driver, the
// dashboard's build tool, the NATS client a cluster member alone imports): each stays in
// node_modules, resolved at run time.
const EXTERNAL = ['better-sqlite3', 'pm2', 'playwright-core', 'vite', '@nats-io/transport-node', '@nats-io/jetstream', '@nats-io/kv'];
// Bundled CommonJS dependencies call `require` for Node's own modules; an ES module has none.
const REQUIRE_SHIM = "import { createRequire as __cmuxCreateRequire } from 'node:module'; const require = __cmuxCreateRequire(import.meta.url);";

const COMMON = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  banner: { js: REQUIRE_SHIM },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
};

async function bundle(what, entry, options) {
  try {
    await build({ ...COMMON, entryPoints: [entry], ...options });
  } catch (error) {
    process.stderr.write(`bundle-apps: ${what} did not bundle (${relative(root, entry)}): ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

// V8 keeps a script's source for as long as it runs, one byte a character when all of it is
// Latin-1 and two otherwise: one `│` in a regex (esbuild escapes strings, not regexes) cost the
// server 2 MB. An app bundle must therefore be ASCII; this says where it is not.
function assertAscii(name, file) {
  const text = readFileSync(file, 'utf8');
  const at = text.search(/[^\x00-\x7f]/);
  if (at === -1) return;
  process.stderr.write(`bundle-apps: ${name}'s bundle has a non-ASCII character (${JSON.stringify(text.slice(Math.max(0, at - 60), at + 20))}): write it as \\u${text.codePointAt(at).toString(16).padStart(4, '0')} in the source, or V8 keeps the whole bundle two bytes a character\n`);
  process.exit(1);
}

const started = performance.now();
for (const name of ALL_APP_NAMES) {
  const { compiled, bundle: outfile } = appEntry(root, name);
  await bundle(name, compiled, { outfile });
  assertAscii(name, outfile);
}
// Chunk names carry a hash: the last build's chunks go first.
const cli = join(root, 'dist', 'bundles', 'cli');
rmSync(cli, { recursive: true, force: true });
await bundle('the CLI', join(root, 'dist', 'apps', 'cli', 'index.js'), { outdir: cli, splitting: true });
process.stdout.write(`bundled ${ALL_APP_NAMES.length} apps and the CLI into dist/bundles in ${Math.round(performance.now() - started)} ms\n`);
