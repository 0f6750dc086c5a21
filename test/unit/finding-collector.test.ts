import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactSecrets } from '../../apps/core/src/index.ts';
import { compileMatcher, createFindingCollector, type Finding } from '../../apps/log-watcher/findings.ts';

const SECRET = 'collector-secret-0123456789';

function collect(lines: string[]) {
  const findings: Finding[] = [];
  let redacted = 0;
  const redact = (line: string) => {
    redacted += 1;
    return redactSecrets(line, [SECRET]);
  };
  const collector = createFindingCollector('app.log', compileMatcher(['\\bERROR\\b'], []), (f) => findings.push(f), redact);
  for (const line of lines) collector.push(line);
  collector.end();
  return { findings, redacted };
}

describe('the finding collector redacts what a finding shows, and only that', () => {
  it('redacts the context before, the error line and its stack; lines never shown are never redacted', () => {
    const quiet = Array.from({ length: 1_000 }, (_, i) => `INFO request ${i} by ${SECRET}`);
    const { findings, redacted } = collect([
      ...quiet,
      `INFO login ?token=${SECRET}`,
      `ERROR Bearer ${SECRET} refused`,
      `    at check (/app/auth.js:1:2) ${SECRET}`,
      'INFO after',
    ]);
    assert.equal(findings.length, 1);
    const [finding] = findings;
    assert.deepEqual(finding!.before, ['INFO request 998 by [redacted]', 'INFO request 999 by [redacted]', 'INFO login ?token=[redacted]']);
    assert.equal(finding!.line, 'ERROR Bearer [redacted] refused');
    assert.deepEqual(finding!.after, ['    at check (/app/auth.js:1:2) [redacted]']);
    assert.ok(!JSON.stringify(finding).includes(SECRET));
    // The error line, its three lines of context and its one stack frame: 5, not 1 004.
    assert.equal(redacted, 5);
  });

  it('judges a line as it will be shown: an error word inside a secret is no finding', () => {
    const { findings } = collect([`INFO GET /x?token=ERROR-${SECRET}`, `INFO ${SECRET.replace('collector', 'ERROR')}`]);
    assert.equal(findings.length, 1, 'the token is redacted away; the second line has no secret and says ERROR');
    assert.match(findings[0]!.line, /ERROR-secret/);
  });
});
