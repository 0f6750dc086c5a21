import * as z from 'zod';
import { sessionIdSchema } from '../../core/src/server-client/index.js';

export const sessionSchemas = {
  one: { params: z.object({ id: sessionIdSchema }) },
};
