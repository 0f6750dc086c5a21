import * as z from 'zod';
import { projectName, queryFlag } from './common.schema.js';

export const projectSchemas = {
  add: { body: z.strictObject({ name: projectName.optional(), root: z.string().min(1).max(4096), branch: z.string().min(1).max(200).optional() }) },
  remove: { params: z.object({ name: projectName }), querystring: z.object({ force: queryFlag.default(false) }) },
};
