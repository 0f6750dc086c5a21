import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { buildEcosystem, loadConfig } from '../../apps/core/src/index.ts';
import { ROOT } from '../helpers/instance.ts';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    // Build output (the dashboard's last build is kept beside it as .dist.last-build) is not source.
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.dist.')) return [];
    return statSync(path).isDirectory() ? sources(path) : /\.(ts|tsx|mjs|js)$/.test(name) ? [path] : [];
  });
}

describe('module boundaries', () => {
  it('only core/tmux runs tmux', () => {
    const offenders = sources(join(ROOT, 'apps'))
      .filter((file) => !relative(ROOT, file).startsWith('apps/core/src/tmux/'))
      .filter((file) => /\b(execa|spawn|execFile|exec|execSync|spawnSync)\s*\(\s*['"`]tmux['"`]/.test(readFileSync(file, 'utf8')));
    assert.deepEqual(offenders.map((f) => relative(ROOT, f)), []);
  });

  it('tmux expands no text of a caller: every argument it reads as a format is formatLiteral(…) or one of cmux\'s own formats', () => {
    const dir = join(ROOT, 'apps', 'core', 'src', 'tmux');
    const files = readdirSync(dir).map((name) => join(dir, name));
    const source = files.map((file) => readFileSync(file, 'utf8')).join('\n');
    const literal = /^formatLiteral\(/;
    const constant = /^[A-Z][A-Z_]*_(FORMAT|OPTION)$/;
    // Where tmux 3.3a expands formats (the flags of the commands cmux runs; see formatLiteral).
    const places: Array<[RegExp, RegExp]> = [
      [/'-[cns]',\s*([^,\]]+)/g, literal],
      [/'-F',\s*([^,\]]+)/g, constant],
      [/'display-message'(?:,\s*'-t',\s*\w+|,\s*'-\w+')*,\s*([^,\]]+)\]/g, constant],
      [/'set-option'(?:,\s*'-t',\s*\w+|,\s*'-\w+')*,\s*([^,\]]+)/g, constant],
      [/'load-buffer'(?:,\s*'-b',\s*\w+)*,\s*([^,\]]+)/g, /^'-'$/],
    ];
    const offenders = places.flatMap(([place, allowed]) => [...source.matchAll(place)].map((m) => m[1]!.trim()).filter((arg) => !allowed.test(arg)));
    assert.deepEqual(offenders, [], 'pass caller text through formatLiteral, and formats as named constants');
    assert.ok([...source.matchAll(/formatLiteral\(/g)].length >= 4, 'the window and session names and the folder go through formatLiteral');
    // cmux's own formats are fixed text: no caller's value is built into one.
    const formats = [...source.matchAll(/^(?:export )?const ([A-Z_]+_(?:FORMAT|OPTION)) = (.+);$/gm)];
    assert.ok(formats.length >= 6, formats.map((f) => f[1]).join(', '));
    assert.deepEqual(formats.filter(([, , value]) => !/^'[^'$`]*'$|^FIELDS\.join\(FIELD_SEPARATOR\)$/.test(value!)).map(([, name]) => name), []);
  });

  it('nothing builds a shell command string', () => {
    const offenders = sources(join(ROOT, 'apps')).filter((file) => /\bshell\s*:\s*true\b|\bexecSync\s*\(|\bexec\s*\(\s*`/.test(readFileSync(file, 'utf8')));
    assert.deepEqual(offenders.map((f) => relative(ROOT, f)), []);
  });

  it('core imports nothing from the apps: what is particular to one app or agent kind lives there', () => {
    const core = join(ROOT, 'apps', 'core');
    const offenders = sources(core).filter((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\bfrom\s+'(\.[^']*)'/g)].some(([, spec]) => !resolve(dirname(file), spec!).startsWith(core + sep)),
    );
    assert.deepEqual(offenders.map((f) => relative(ROOT, f)), []);
  });

  it('apps import core per concern, never its whole index: a PM2 app or a CLI run loads only the core it uses', () => {
    const offenders = sources(join(ROOT, 'apps'))
      .filter((file) => !relative(ROOT, file).startsWith('apps/core/') && !file.endsWith('.test.ts'))
      .filter((file) => /from '[^']*core\/src\/index\.js'/.test(readFileSync(file, 'utf8')));
    assert.deepEqual(offenders.map((f) => relative(ROOT, f)), []);
  });

  it('routes are the app\'s alone, and the CLI loads no daemon', () => {
    const imports = (file: string) => [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => join(dirname(file), m[1]!));
    const offenders = sources(join(ROOT, 'apps')).flatMap((file) => {
      const from = relative(ROOT, file);
      return imports(file)
        .map((target) => relative(ROOT, target))
        .filter(
          (target) =>
            (/^apps\/server\/routes\//.test(target) && from !== 'apps/server/app.ts' && !from.startsWith('apps/server/routes/')) ||
            (from.startsWith('apps/cli/') && /^apps\/(frontend-healer|log-watcher|router|server)\//.test(target)),
        )
        .map((target) => `${from} → ${target}`);
    });
    assert.deepEqual(offenders, []);
  });

  it('reads the configuration variables only in the config loader', () => {
    const configVariable = /process\.env\.(CMUX_(HOME|HOST|PORT|TOKEN|TMUX_SOCKET|SESSION|AGENT_COMMAND|LOG_CHECK_INTERVAL|HEAL_INTERVAL|CONFIG|CLUSTER_URL|CLUSTER_HOST|NATS_PASSWORD)\b|PM2_HOME)/;
    const offenders = sources(join(ROOT, 'apps'))
      .filter((file) => !/^apps\/core\/src\/(config|pm2|ecosystem)\//.test(relative(ROOT, file)))
      .filter((file) => configVariable.test(readFileSync(file, 'utf8')));
    assert.deepEqual(offenders.map((f) => relative(ROOT, f)), []);
  });

  it('an app run in lite mode calls no fetch: lite mode has no WebAssembly, which fetch\'s HTTP parser needs', () => {
    const config = loadConfig({ env: { CMUX_HOME: join(tmpdir(), 'cx-boundaries-unused') }, cwd: ROOT });
    const lite = buildEcosystem(config).apps.filter((app) => app.node_args.includes('--lite-mode'));
    assert.equal(lite.length, 4, `all four apps run in lite mode: ${lite.map((a) => a.name).join(', ')}`);
    const offenders = lite.filter((app) => /\bfetch\s*\(|\bWebAssembly\b/.test(readFileSync(app.script, 'utf8'))).map((app) => app.name);
    assert.deepEqual(offenders, [], 'these bundles call fetch or WebAssembly: use core\'s httpRequest (node:http)');
  });

  it('a single host never loads the NATS client: the bundles import it only dynamically, on a cluster member, from one module', () => {
    const config = loadConfig({ env: { CMUX_HOME: join(tmpdir(), 'cx-boundaries-unused') }, cwd: ROOT });
    for (const app of buildEcosystem(config).apps) {
      const text = readFileSync(app.script, 'utf8');
      assert.doesNotMatch(text, /(from|import)\s*["']@nats-io\//, `${app.name} imports the NATS client statically`);
    }
    const importers = sources(join(ROOT, 'apps')).filter((file) => /['"]@nats-io\/[a-z-]+['"]\)/.test(readFileSync(file, 'utf8')));
    assert.deepEqual(importers.map((f) => relative(ROOT, f)), ['apps/cluster/nats/lib.ts']);
    const runtime = sources(join(ROOT, 'apps')).filter((file) => /^import (?!type)[^;]*from '@nats-io\//m.test(readFileSync(file, 'utf8')));
    assert.deepEqual(runtime.map((f) => relative(ROOT, f)), [], 'type imports only');
  });

  it('the NATS client calls no global fetch and no WebAssembly, so it runs in the lite-mode apps', () => {
    for (const pkg of ['nats-core', 'transport-node', 'jetstream', 'kv', 'nkeys', 'nuid']) {
      const dir = join(ROOT, 'node_modules', '@nats-io', pkg, 'lib');
      for (const file of sources(dir).filter((f) => f.endsWith('.js'))) {
        const text = readFileSync(file, 'utf8');
        assert.doesNotMatch(text, /\bWebAssembly\b/, relative(ROOT, file));
        // Its own methods named fetch (`this.fetch(`, `async fetch(`) are not the global.
        assert.doesNotMatch(text, /(?<![.\w]|async |function )fetch\s*\(/, relative(ROOT, file));
      }
    }
  });
});
