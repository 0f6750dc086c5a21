import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { addJournalEntry, JOURNAL_DATE, listJournalDates, listJournalFiles, readJournalDay, readJournalFile, searchJournal, type CmuxConfig } from '../../core/src/index.js';
import { parse } from '../validate.js';

const dayQuery = z.object({ date: z.string().regex(JOURNAL_DATE, 'a date as YYYY-MM-DD').optional() });
const entryBody = z.strictObject({ title: z.string().min(1).max(200), content: z.string().max(1024 * 1024) });
const fileParams = z.object({ date: z.string().regex(JOURNAL_DATE, 'a date as YYYY-MM-DD'), name: z.string().min(1).max(120) });
const searchQuery = z.object({ q: z.string().min(1).max(200), limit: z.coerce.number().int().min(1).max(200).default(50) });

// The journal (CONTRACT §3): days, entries, attachments (archived terminals, alerts, webhook
// bodies), search. Dates are checked against YYYY-MM-DD and file names against what cmux
// writes, so a client never names a path.
export const journalRoutes: FastifyPluginAsync<{ config: CmuxConfig }> = async (app, { config }) => {
  app.get('/api/journal', async (request) => {
    const date = parse(dayQuery, request.query, 'date').date ?? new Date().toISOString().slice(0, 10);
    return { date, entries: readJournalDay(config.home, date) };
  });
  app.post('/api/journal/entry', async (request, reply) => {
    const entry = await addJournalEntry(config.home, parse(entryBody, request.body));
    return reply.code(201).send(entry);
  });
  app.get('/api/journal/files', async (request) => {
    const date = parse(dayQuery, request.query, 'date').date ?? new Date().toISOString().slice(0, 10);
    return listJournalFiles(config.home, date);
  });
  app.get('/api/journal/files/:date/:name', async (request) => {
    const { date, name } = parse(fileParams, request.params, 'params');
    return readJournalFile(config.home, date, name);
  });
  app.get('/api/journal/dates', async () => listJournalDates(config.home));
  app.get('/api/journal/search', async (request) => {
    const { q, limit } = parse(searchQuery, request.query, 'query');
    return searchJournal(config.home, q, limit);
  });
};
