import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { addJournalEntry, listJournalDates, readJournalDay, searchJournal, type CmuxConfig } from '../../core/src/index.js';
import { journalSchemas as schema } from './journal.schema.js';

// The journal (CONTRACT §3): days, entries, search.
export const journalRoutes: FastifyPluginAsyncZod<{ config: CmuxConfig }> = async (app, { config }) => {
  app.get('/api/journal', { schema: schema.day }, async (request) => {
    const date = request.query.date ?? new Date().toISOString().slice(0, 10);
    return { date, entries: readJournalDay(config.home, date) };
  });
  app.post('/api/journal/entry', { schema: schema.add }, async (request, reply) => reply.code(201).send(await addJournalEntry(config.home, request.body)));
  app.get('/api/journal/dates', async () => listJournalDates(config.home));
  app.get('/api/journal/search', { schema: schema.search }, async (request) => searchJournal(config.home, request.query.q, request.query.limit));
};
