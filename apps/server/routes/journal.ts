import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { CmuxConfig } from '../../core/src/config/index.js';
import type { OnSkipped } from '../../core/src/fs/index.js';
import { addJournalEntry, listJournalDates, listJournalFiles, readJournalDay, readJournalFile, searchJournal } from '../../core/src/journal/index.js';
import { journalSchemas as schema } from './journal.schema.js';

// The journal (CONTRACT §3): days, entries, attachments (archived terminals, alerts, webhook
// bodies), search.
export const journalRoutes: FastifyPluginAsyncZod<{ config: CmuxConfig }> = async (app, { config }) => {
  app.get('/api/journal', { schema: schema.day }, async (request) => {
    const date = request.query.date ?? new Date().toISOString().slice(0, 10);
    return { date, entries: readJournalDay(config.home, date) };
  });
  app.post('/api/journal/entry', { schema: schema.add }, async (request, reply) => reply.code(201).send(await addJournalEntry(config.home, request.body)));
  app.get('/api/journal/files', { schema: schema.day }, async (request, reply) =>
    listJournalFiles(config.home, request.query.date ?? new Date().toISOString().slice(0, 10), skippedHeader(reply)),
  );
  app.get('/api/journal/files/:date/:name', { schema: schema.file }, async (request) => readJournalFile(config.home, request.params.date, request.params.name));
  app.get('/api/journal/dates', async (_request, reply) => listJournalDates(config.home, skippedHeader(reply)));
  app.get('/api/journal/search', { schema: schema.search }, async (request, reply) => searchJournal(config.home, request.query.q, request.query.limit, skippedHeader(reply)));
};

// Says in the `x-cmux-warning` header what a listing or search left out (a link or FIFO planted
// in the journal), each once, in characters a header may carry.
export function skippedHeader(reply: FastifyReply): OnSkipped {
  const skipped = new Set<string>();
  return (problem) => {
    skipped.add(problem.replace(/[^\x20-\x7e]/g, '?'));
    void reply.header('x-cmux-warning', [...skipped].join('; '));
  };
}
