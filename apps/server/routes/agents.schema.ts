import * as z from 'zod';
import { MAX_TERMINAL_LINES } from '../../agents/index.js';
import { agentParams, projectName, queryFlag } from './common.schema.js';

// The agents routes' input (CONTRACT §3).
export const agentSchemas = {
  list: { querystring: z.object({ project: projectName.optional() }) },
  spawn: {
    body: z.strictObject({
      name: z.string(),
      task: z.string().optional(),
      command: z.string().min(1).max(4096).optional(),
      cwd: z.string().min(1).max(4096).optional(),
      env: z.record(z.string(), z.string()).optional(),
      worktree: z.boolean().optional(),
      // Checked again (with git's own rules) before git sees them.
      branch: z.string().min(1).max(200).optional(),
      base: z.string().min(1).max(200).optional(),
      project: projectName.optional(),
    }),
  },
  one: { params: agentParams },
  kill: { params: agentParams, querystring: z.strictObject({ force: queryFlag.optional(), keep: queryFlag.optional() }) },
  merge: {
    params: agentParams,
    body: z
      .strictObject({
        into: z.string().min(1).max(200).optional(),
        squash: z.boolean().optional(),
        // Commit the worktree's uncommitted files on the worker's branch first, with `message`.
        commitUncommitted: z.boolean().optional(),
        message: z.string().min(1).max(5_000).optional(),
      })
      .prefault({}),
  },
  mergePreview: { params: agentParams, querystring: z.strictObject({ into: z.string().min(1).max(200).optional() }) },
  message: { params: agentParams, body: z.strictObject({ text: z.string().min(1, 'text is empty') }) },
  answer: {
    params: agentParams,
    body: z.strictObject({
      choice: z.string().min(1).max(200),
      // The question the answer is for: refused when the dialog on screen asks something else.
      question: z.string().max(2_000).optional(),
    }),
  },
  // Keys from the dashboard's interactive terminal: which names are allowed is pressKeys' to say.
  keys: {
    params: agentParams,
    body: z.strictObject({
      keys: z
        .array(
          z.union([
            z.strictObject({ key: z.string().min(1).max(16) }),
            z.strictObject({ text: z.string().min(1).max(4096).refine((t) => !/[\r\n]/.test(t), 'text may not hold a line break: press {"key":"Enter"}') }),
          ]),
        )
        .min(1)
        .max(256),
    }),
  },
  terminal: { params: agentParams, querystring: z.object({ lines: z.coerce.number().int().min(1).max(MAX_TERMINAL_LINES).default(200) }) },
  register: {
    body: z.strictObject({
      id: z.string().min(1).max(120),
      role: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a role: lowercase letters, digits and -').optional(),
      session: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/, 'a tmux session name').optional(),
      window: z.string().min(1).max(120),
    }),
  },
};
