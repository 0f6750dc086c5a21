import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { journalDay, latestJournalFile, writeAttachment } from '../../apps/core/src/journal/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'cx-latest-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function freshHome(name: string): string {
  const home = join(dir, name);
  mkdirSync(home, { mode: 0o700 });
  return home;
}

describe("the newest journal attachment of a label (an agent's archived terminal)", () => {
  it('is null when the journal has none of that label, or no journal at all', () => {
    const home = freshHome('none');
    assert.equal(latestJournalFile(home, 'w1-pane'), null);
    writeAttachment(home, 'w2-pane', 'txt', 'another agent', new Date('2026-11-20T10:00:00.000Z'));
    assert.equal(latestJournalFile(home, 'w1-pane'), null);
  });

  it('is the newest by day, then by time of day, with its text and when it was written', () => {
    const home = freshHome('newest');
    writeAttachment(home, 'w1-pane', 'txt', 'day one, late', new Date('2026-11-20T23:59:59.999Z'));
    writeAttachment(home, 'w1-pane', 'txt', 'day two, early', new Date('2026-11-21T00:00:00.001Z'));
    writeAttachment(home, 'w1-pane', 'txt', 'day two, noon', new Date('2026-11-21T12:00:00.000Z'));
    writeAttachment(home, 'w2-pane', 'txt', 'someone else, later', new Date('2026-11-21T18:00:00.000Z'));
    const latest = latestJournalFile(home, 'w1-pane');
    assert.equal(latest?.text, 'day two, noon');
    assert.equal(latest?.at, '2026-11-21T12:00:00.000Z');
    assert.equal(latest?.date, '2026-11-21');
  });

  it('skips files in the attachments folder that cmux did not name, and a newer day without that label', () => {
    const home = freshHome('junk');
    const written = writeAttachment(home, 'w1-pane', 'txt', 'the archive', new Date('2026-11-20T08:00:00.000Z'));
    writeFileSync(join(dirname(written), 'zzz-w1-pane.txt'), 'a file someone dropped here');
    writeFileSync(join(dirname(written), `${basename(written)}.bak`), 'a copy with another ending');
    mkdirSync(join(journalDay(home, new Date('2026-11-22T00:00:00.000Z')), 'attachments'), { recursive: true });
    writeAttachment(home, 'w3-pane', 'txt', 'newer day, other label', new Date('2026-11-23T08:00:00.000Z'));
    assert.equal(latestJournalFile(home, 'w1-pane')?.text, 'the archive');
  });

  it('shares the attachments of labels that differ only in case or punctuation (one slug)', () => {
    const home = freshHome('slug');
    writeAttachment(home, 'team.w1-pane', 'txt', 'written as team.w1', new Date('2026-11-20T08:00:00.000Z'));
    assert.equal(latestJournalFile(home, 'Team_W1-pane')?.text, 'written as team.w1');
  });
});
