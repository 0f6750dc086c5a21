import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { agentOf, openHistory, type HistoryPage, type MailboxMessage } from '../../apps/core/src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'cx-hist-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Every kind of address, an agent named with and without its session among them.
const ADDRESSES = ['user', 'w1', 'cmux:w1', 'w2', 'other:w2', 'w3', 'system:router', 'webhook:github', 'supervisor'];

describe('paging the message history', () => {
  const history = openHistory(join(dir, 'home'));
  after(() => history.close());
  const stored: MailboxMessage[] = [];
  for (let i = 0; i < 1_500; i++) {
    // A fixed but scattered choice, so every pair of addresses occurs.
    const from = ADDRESSES[(i * 7) % ADDRESSES.length]!;
    const to = ADDRESSES[(i * 5 + Math.floor(i / 9)) % ADDRESSES.length]!;
    stored.push({ id: randomUUID(), ts: new Date(1_800_000_000_000 + i).toISOString(), from, to, subject: `m${i}` });
  }
  history.insertMany(stored.map((message) => ({ message, status: 'delivered' })));

  // What a filter means, read off the messages one by one, newest first.
  const matches = ({ agent, agents }: Omit<HistoryPage, 'limit'>) =>
    stored
      .filter((m) => {
        const names = [agentOf(m.from)?.name, agentOf(m.to)?.name];
        const byAgent = !agent || m.from === agent || m.to === agent || names.includes(agent);
        const byProject = !agents || names.some((n) => n !== undefined && agents.includes(n));
        return byAgent && byProject;
      })
      .map((m) => m.subject)
      .reverse();

  // Every page by the `before` cursor, joined.
  const walk = (filter: Omit<HistoryPage, 'limit' | 'before'>, limit: number) => {
    const seen: string[] = [];
    let before: number | undefined;
    for (;;) {
      const page = history.page({ ...filter, limit, ...(before === undefined ? {} : { before }) });
      assert.ok(page.length <= limit);
      seen.push(...page.map((m) => m.subject));
      if (page.length < limit) return seen;
      before = page.at(-1)!.seq;
    }
  };

  const filters: Array<Omit<HistoryPage, 'limit'>> = [
    {},
    { agent: 'w1' },
    { agent: 'user' },
    { agent: 'system:router' },
    { agent: 'cmux:w1' },
    { agents: ['w2', 'supervisor'] },
    { agent: 'w1', agents: ['w2'] },
    { agent: 'nobody' },
    { agents: [] },
  ];
  for (const filter of filters) {
    it(`pages ${JSON.stringify(filter)} newest first, each message once, none left out`, () => {
      const expected = matches(filter);
      for (const limit of [1, 7, 50, 500]) assert.deepEqual(walk(filter, limit), expected, `pages of ${limit}`);
    });
    // The first messages since a moment (an agent's spawn): what its task was (issue 26, finding 11).
    it(`reads ${JSON.stringify(filter)} oldest first from a time`, () => {
      for (const [i, limit] of [[0, 5], [700, 1], [700, 40], [1_499, 3], [1_500, 3]] as const) {
        const since = new Date(1_800_000_000_000 + i).toISOString();
        const expected = matches(filter).reverse().filter((subject) => Number(subject.slice(1)) >= i).slice(0, limit);
        assert.deepEqual(history.page({ ...filter, limit, since }).map((m) => m.subject), expected, `${limit} since m${i}`);
      }
    });
  }
});
