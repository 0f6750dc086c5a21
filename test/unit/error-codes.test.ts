import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ERROR_CODES } from '../../apps/core/src/index.ts';
import { ROOT } from '../helpers/instance.ts';

describe('docs/errors.md', () => {
  it('has one row for every error code, with the status the API answers it with, and no other', () => {
    const rows = [...readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8').matchAll(/^\| `(CMUX_ERR_[A-Z0-9_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    assert.deepEqual(rows.sort(), Object.entries(ERROR_CODES).sort());
  });
});
