import * as z from 'zod';
import { ALL_APP_NAMES } from '../../core/src/ecosystem/index.js';

// An app is named from the known list only: no other PM2 app (another tool's, another cmux's)
// and no path reaches PM2 or `tail`.
const app = z.object({ name: z.enum(ALL_APP_NAMES, { message: `an app of cmux: ${ALL_APP_NAMES.join(', ')}` }) });

export const processSchemas = {
  restart: { params: app },
  log: { params: app, querystring: z.object({ lines: z.coerce.number().int().min(0).max(1_000).default(100) }) },
};
