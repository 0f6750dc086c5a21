import * as z from 'zod';
import { newTaskSchema, taskChangeSchema, taskStatusSchema } from '../../tasks/index.js';
import { projectName } from './common.schema.js';

const taskParams = z.object({ id: z.coerce.number().int().min(1, 'a task id is a whole number from 1') });

// The board's schemas are the tasks module's own: the CLI checks its input with them too.
export const taskSchemas = {
  list: { querystring: z.object({ project: projectName.optional(), status: taskStatusSchema.optional() }) },
  add: { body: newTaskSchema },
  one: { params: taskParams },
  change: { params: taskParams, body: taskChangeSchema },
};
