import * as z from 'zod';
import { answerBodySchema, keysBodySchema, mergeBodySchema, spawnBodySchema, terminalLinesSchema } from '../../agents/ops.schema.js';
import { addressSchema, HOST_NAME } from '../../core/src/mailbox/index.js';
import { agentParams, projectName, queryFlag } from './common.schema.js';

// The agents routes' input (CONTRACT §3).
export const agentSchemas = {
  list: { querystring: z.object({ project: projectName.optional() }) },
  spawn: {
    body: spawnBodySchema.extend({
      project: projectName.optional(),
      // In a cluster: the host to spawn it on (default this one).
      host: z.string().regex(new RegExp(`^${HOST_NAME}$`), 'a host name of the cluster').optional(),
      // Who asks (its answers go back to it): the user unless an agent says so.
      from: addressSchema.optional(),
    }),
  },
  one: { params: agentParams },
  kill: { params: agentParams, querystring: z.strictObject({ force: queryFlag.optional(), keep: queryFlag.optional() }) },
  merge: { params: agentParams, body: mergeBodySchema.prefault({}) },
  mergePreview: { params: agentParams, querystring: z.strictObject({ into: z.string().min(1).max(200).optional() }) },
  message: { params: agentParams, body: z.strictObject({ text: z.string().min(1, 'text is empty') }) },
  answer: { params: agentParams, body: answerBodySchema },
  keys: { params: agentParams, body: keysBodySchema },
  terminal: { params: agentParams, querystring: z.object({ lines: terminalLinesSchema.default(200) }) },
  register: {
    body: z.strictObject({
      id: z.string().min(1).max(120),
      role: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a role: lowercase letters, digits and -').optional(),
      session: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/, 'a tmux session name').optional(),
      window: z.string().min(1).max(120),
    }),
  },
};
