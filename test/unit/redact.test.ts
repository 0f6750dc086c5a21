import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, redactSecrets } from '../../apps/core/src/index.ts';

const TOKEN = 'Zk3-secret_token.value0123';

describe('secrets in log lines (L1)', () => {
  it('redacts query tokens and codes, bearer headers, cmux cookies and CMUX_TOKEN=', () => {
    const line = `GET /api/ws?lines=5&token=${TOKEN}&x=1 /?code=abc123def authorization: "Bearer ${TOKEN}" cookie: cmux_session=s3ss10n; CMUX_TOKEN=${TOKEN}`;
    const out = redactSecrets(line);
    assert.ok(!out.includes(TOKEN) && !out.includes('abc123def') && !out.includes('s3ss10n'), out);
    assert.match(out, /token=\[redacted\]&x=1/);
    assert.match(out, /Bearer \[redacted\]/);
  });

  it('removes a known secret wherever it stands', () => {
    assert.equal(redactSecrets(`upstream refused ${TOKEN}.`, [TOKEN]), 'upstream refused [redacted].');
  });

  it('every logger line is redacted, the message and its context', () => {
    const lines: string[] = [];
    const sink = { write: (l: string) => lines.push(l) } as unknown as NodeJS.WritableStream;
    const logger = createLogger('cmux-server', { out: sink, err: sink });
    logger.error(`POST /api/journal/entry?token=${TOKEN} failed`, { error: new Error(`GET /x?token=${TOKEN}`) });
    assert.equal(lines.length, 1);
    assert.ok(!lines[0]!.includes(TOKEN), lines[0]);
  });
});
