import * as z from 'zod';
import { DELIVERY_STATUSES } from '../../core/src/history/index.js';
import { addressSchema, MAX_SUBJECT_CHARS } from '../../core/src/mailbox/index.js';
import { pageLimit, projectName } from './common.schema.js';

// The history's query, the mailbox's new message, and the daemons' events for the dashboards.
export const messageSchemas = {
  page: {
    querystring: z.object({
      agent: addressSchema.optional(),
      project: projectName.optional(),
      direction: z.enum(['in', 'out']).optional(),
      status: z.enum(DELIVERY_STATUSES).optional(),
      limit: pageLimit(500),
      before: z.coerce.number().int().min(1).optional(),
      // Oldest first from a moment, instead of newest first: paging forward has no `before`.
      since: z.iso.datetime({ offset: true }).transform((ts) => new Date(ts).toISOString()).optional(),
    }).refine((q) => q.before === undefined || q.since === undefined, { message: 'before pages back from a message, since forward from a time: give one of them', path: ['since'] }),
  },
  send: {
    body: z.strictObject({
      to: addressSchema,
      subject: z.string().min(1, 'subject is empty').max(MAX_SUBJECT_CHARS),
      body: z.string().optional(),
      from: addressSchema.optional(),
    }),
  },
  withdraw: { params: z.object({ id: z.string().min(1).max(200) }), body: z.strictObject({ detail: z.string().min(1).max(2_000).optional() }).prefault({}) },
  event: { body: z.strictObject({ event: z.enum(['message', 'message_status', 'alert']), data: z.unknown() }) },
};
