import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { historyFile, type MailboxMessage, type StoredMessage } from '../apps/core/src/index.ts';
import { agentHarness } from '../test/helpers/agents.ts';
import { apiServer } from './api-server.ts';
import { median, type BenchRow } from './report.ts';

const STORED = 100_000;
const AGENTS = 20;
const PAGE = 50;
const PAGES = 40;
const OFFSET_ROUTE = '/bench/offset-messages';
// The original's filter: either end of the message.
const BY_AGENT = 'WHERE (from_addr = @agent OR to_addr = @agent OR from_agent = @agent OR to_agent = @agent)';

// Who a stored message is from and to: agents writing to each other and to the user.
function message(i: number): MailboxMessage {
  const agent = (n: number) => `w${n % AGENTS}`;
  const [from, to] = i % 3 === 0 ? [agent(i), 'user'] : i % 3 === 1 ? ['user', agent(i)] : [agent(i), agent(i + 7)];
  return { id: randomUUID(), ts: new Date(Date.UTC(2026, 0, 1) + i * 1_000).toISOString(), from, to, subject: `message ${i} ${'s'.repeat(40)}` };
}

// The original's paging behind the same HTTP server: LIMIT … OFFSET.
function offsetRoute(file: string) {
  return (app: FastifyInstance) => {
    const db = new Database(file, { readonly: true });
    app.addHook('onClose', async () => db.close());
    app.get(OFFSET_ROUTE, async (request) => {
      const { agent, limit, offset } = request.query as { agent?: string; limit: string; offset: string };
      return db.prepare(`SELECT * FROM messages ${agent ? BY_AGENT : ''} ORDER BY seq DESC LIMIT @limit OFFSET @offset`).all({ limit: Number(limit), offset: Number(offset), ...(agent ? { agent } : {}) });
    });
  };
}

// GET /api/messages over HTTP with 100 000 messages stored: pages spread evenly through the
// history (the k-th starts k/PAGES of the way down, by the `before` cursor), for everyone and
// for one agent; against the same pages served the original's way (OFFSET, which reads every
// row it skips) by the same HTTP server.
export async function benchMessages(log: (line: string) => void): Promise<BenchRow[]> {
  const harness = agentHarness();
  const api = await apiServer(harness.deps, offsetRoute(historyFile(harness.home)));
  try {
    for (let start = 0; start < STORED; start += 10_000) {
      api.history.insertMany(Array.from({ length: 10_000 }, (_, i) => ({ message: message(start + i), status: 'delivered' as const })));
    }
    log(`messages: ${api.history.count()} stored`);
    const walk = async (path: (k: number) => string) => {
      const samples: number[] = [];
      for (let k = 0; k < PAGES; k++) {
        const started = performance.now();
        const page = await api.get<StoredMessage[]>(path(k));
        samples.push(performance.now() - started);
        if (page.length !== PAGE) throw new Error(`${path(k)}: ${page.length} messages`);
      }
      return samples;
    };
    const before = (k: number) => (k === 0 ? '' : `&before=${STORED + 1 - Math.floor((k * STORED) / PAGES)}`);
    const db = new Database(historyFile(harness.home), { readonly: true });
    const agentRows = (db.prepare(`SELECT COUNT(*) AS n FROM messages ${BY_AGENT}`).get({ agent: 'w3' }) as { n: number }).n;
    db.close();
    const offset = (rows: number) => (k: number) => `&offset=${Math.floor((k * rows) / PAGES)}`;
    const everyone = await walk((k) => `/api/messages?limit=${PAGE}${before(k)}`);
    const oneAgent = await walk((k) => `/api/messages?limit=${PAGE}&agent=w3${before(k)}`);
    const baseEveryone = await walk((k) => `${OFFSET_ROUTE}?limit=${PAGE}${offset(STORED)(k)}`);
    const baseAgent = await walk((k) => `${OFFSET_ROUTE}?limit=${PAGE}&agent=w3${offset(agentRows)(k)}`);
    log(`messages: p50 everyone ${median(everyone).toFixed(1)} ms (offset ${median(baseEveryone).toFixed(1)}), one agent ${median(oneAgent).toFixed(1)} ms (offset ${median(baseAgent).toFixed(1)})`);
    const common = {
      area: 'messages',
      length: `p50 of ${PAGES} pages of ${PAGE}`,
      unit: 'ms',
      baselineName: 'original: LIMIT/OFFSET paging, same HTTP server',
      budget: { on: 'value', max: 20 },
      note: "the pages spread through the history; the baseline route skips cmux's token check and validation",
    } as const;
    return [
      { ...common, name: `GET /api/messages with ${STORED} stored, over HTTP`, value: median(everyone), baseline: median(baseEveryone) },
      { ...common, name: `GET /api/messages?agent= (one of ${AGENTS} agents, ${agentRows} messages) with ${STORED} stored, over HTTP`, value: median(oneAgent), baseline: median(baseAgent) },
    ];
  } finally {
    await api.close();
    await harness.cleanup();
  }
}
