import * as z from 'zod';
import { pageLimit } from './common.schema.js';

export const alertSchemas = {
  list: { querystring: z.object({ limit: pageLimit(1_000) }) },
  ack: { params: z.object({ id: z.uuid('an alert id (a UUID)') }) },
};
