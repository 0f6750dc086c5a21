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

  it('decodes a query key before matching it: an encoded `token` or `code` is redacted too, another key is not (issue 25)', () => {
    for (const key of ['to%6ben', '%74%6F%6B%65%6E', 'TOKEN', 'to%256ben', 'c%6fde', 'to%6Ben']) {
      const out = redactSecrets(`GET /api/agents?lines=5&${key}=${TOKEN}&x=1 failed`);
      assert.ok(!out.includes(TOKEN), `${key}: ${out}`);
      assert.ok(out.includes(`&${key}=[redacted]&x=1`), `${key}: ${out}`);
    }
    assert.equal(redactSecrets('GET /x?tokens=1&mytoken=2&q=token'), 'GET /x?tokens=1&mytoken=2&q=token');
    assert.equal(redactSecrets('GET /x?a=1;token=s3cret&b=2'), 'GET /x?a=1;token=[redacted]&b=2');
    assert.equal(redactSecrets('GET /x?%zz=1&token=&code=abc'), 'GET /x?%zz=1&token=&code=[redacted]', 'a broken escape or an empty value breaks nothing');
  });

  it('redacts a dashboard session in its header and in its WebSocket subprotocol', () => {
    const out = redactSecrets(`x-cmux-session: s3ss10n-secret "X-Cmux-Session":"s3ss10n-secret" sec-websocket-protocol: cmux, cmux.session.s3ss10n-secret`);
    assert.ok(!out.includes('s3ss10n-secret'), out);
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
