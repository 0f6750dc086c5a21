import * as z from 'zod';
import { addressSchema } from '../../core/src/mailbox/index.js';
import { AGENT_NAME, KIND_NAME } from '../../core/src/agents/index.js';
import { newTaskSchema, taskChangeSchema, taskStatusSchema } from '../../tasks/index.js';
import { pageLimit, projectName } from './common.schema.js';

const text = z.string().min(1, 'text is empty');
const agent = z.string().min(1).max(120);
const taskParams = z.object({ id: z.coerce.number().int().min(1, 'a task id is a whole number from 1') });

// What an agent asks as itself (routes/me.ts, `cmux mcp`'s tools). No body names a sender: the
// agent is the one its token proves.
export const meSchemas = {
  send: { body: z.strictObject({ to: addressSchema, text }) },
  report: { body: z.strictObject({ kind: z.enum(['done', 'blocked', 'progress']), text, task: z.number().int().min(1).optional() }) },
  read: {
    querystring: z.object({
      limit: pageLimit(200),
      since: z.iso.datetime({ offset: true }).transform((ts) => new Date(ts).toISOString()).optional(),
    }),
  },
  agents: { querystring: z.object({ project: projectName.optional() }) },
  tasks: { querystring: z.object({ project: projectName.optional(), status: taskStatusSchema.optional() }) },
  addTask: { body: newTaskSchema },
  changeTask: { params: taskParams, body: taskChangeSchema },
  spawn: {
    body: z.strictObject({
      name: z.string().regex(AGENT_NAME, 'a name of letters, digits, - and _, at most 48'),
      task: text,
      worktree: z.boolean().optional(),
      command: z.string().min(1).max(4096).optional(),
      kind: z.string().regex(KIND_NAME, 'a kind name such as codex').optional(),
    }),
  },
  interrupt: { body: z.strictObject({ agent }) },
  answer: { body: z.strictObject({ agent, choice: z.string().min(1).max(200), question: z.string().max(2_000).optional() }) },
};
