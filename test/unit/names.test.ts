import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { MIN_NODE } from '../../apps/cli/ops/doctor.ts';
import { PACKAGE_NAME } from '../../apps/core/src/index.ts';
import { ROOT } from '../helpers/instance.ts';

// npm's own range reading (semver comes with Fastify), without types of its own.
const semver = createRequire(import.meta.url)('semver') as { satisfies(version: string, range: string): boolean };

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; bin: Record<string, string>; engines: { node: string } };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  name: string;
  packages: Record<string, { name?: string; dev?: boolean; engines?: { node?: string } | string[] }>;
};

// Every file whose words a user reads: the apps' messages, the scripts, the configuration, the docs.
function readable(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (name === 'node_modules' || name === 'dist') return [];
      return statSync(path).isDirectory() ? walk(path) : /\.(ts|tsx|mjs|cjs|js|md|yaml|html)$/.test(name) ? [path] : [];
    });
  return [...['apps', 'scripts', 'bin', 'config', 'docs'].flatMap((d) => walk(join(ROOT, d))), join(ROOT, 'README.md'), join(ROOT, 'ecosystem.config.ts')];
}

describe('the name cmux goes by', () => {
  it('is a package name of its own, with the command `cmux`', () => {
    assert.equal(manifest.name, PACKAGE_NAME);
    assert.notEqual(PACKAGE_NAME, 'cmux', 'the registry\'s `cmux` is someone else\'s package');
    assert.deepEqual(manifest.bin, { cmux: 'scripts/cmux.mjs' });
    assert.deepEqual([lock.name, lock.packages['']!.name], [PACKAGE_NAME, PACKAGE_NAME]);
  });

  it('is `cmux …` in every hint: no file tells the user to run `npx cmux <command>`', () => {
    const found = readable().flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (/npx cmux\s+[a-z<…-]/.test(line) ? [`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`] : [])),
    );
    assert.deepEqual(found, []);
  });
});

// Packages that declare a newer Node.js than cmux's floor, and why cmux still runs on the floor.
const RUN_BELOW_THEIR_DECLARED_NODE: Record<string, string> = {
  'node_modules/cookie':
    'cookie 2.0.2 declares >=22 but is plain ES2020; Fastify loads it (light-my-request) only for inject(), which the server\'s unit tests run on Node.js 20',
};

describe('the Node.js cmux runs on', () => {
  const floor = `${MIN_NODE.join('.')}.0`;

  it('is said the same in package.json, by doctor and in the README', () => {
    assert.equal(manifest.engines.node, `>=${floor}`);
    assert.match(readFileSync(join(ROOT, 'README.md'), 'utf8'), new RegExp(`Node\\.js ≥ ${MIN_NODE.join('\\.')}`));
    assert.ok(semver.satisfies(process.versions.node, manifest.engines.node), `the suite runs on ${process.versions.node}`);
  });

  it('is one every installed dependency admits, or the exception is known and said why', () => {
    const above = Object.entries(lock.packages).flatMap(([path, entry]) => {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      return path !== '' && !entry.dev && range && !semver.satisfies(floor, range) ? [path] : [];
    });
    assert.deepEqual(above.sort(), Object.keys(RUN_BELOW_THEIR_DECLARED_NODE).sort());
  });
});
