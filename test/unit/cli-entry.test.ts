import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { CLI } from '../helpers/instance.ts';

describe('the cmux command', () => {
  it('says how to build when the CLI bundle is missing, and exits 1', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cx-nocli-'));
    try {
      cpSync(CLI, join(folder, 'scripts', 'cmux.mjs'));
      const run = await execa(process.execPath, [join(folder, 'scripts', 'cmux.mjs'), 'status'], { reject: false, timeout: 30_000 });
      assert.equal(run.exitCode, 1);
      assert.equal(run.stderr, 'cmux: the CLI is not built yet: run `npm install` (or `npm run build`) in the cmux folder');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('runs the bundled CLI', async () => {
    const run = await execa(process.execPath, [CLI, 'help'], { reject: false, timeout: 30_000 });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout, /^Usage: cmux \[options\] \[command\]/);
  });
});
