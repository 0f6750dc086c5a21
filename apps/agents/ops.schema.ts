import * as z from 'zod';
import { mailboxMessageSchema } from '../core/src/mailbox/index.js';
import { MAX_TERMINAL_LINES } from './actions.js';

// The input of each agent action, whoever asks: the API's routes (apps/server/routes) and
// another host's server (apps/cluster/rpc) check it with these same schemas.

// An agent's id as an action names it.
export const agentIdSchema = z.string().min(1).max(200);

export const spawnBodySchema = z.strictObject({
  name: z.string(),
  task: z.string().optional(),
  command: z.string().min(1).max(4096).optional(),
  cwd: z.string().min(1).max(4096).optional(),
  env: z.record(z.string(), z.string()).optional(),
  worktree: z.boolean().optional(),
  // Checked again (with git's own rules) before git sees them.
  branch: z.string().min(1).max(200).optional(),
  base: z.string().min(1).max(200).optional(),
  project: z.string().min(1).max(64).optional(),
  // false: answered once the window exists, the task queued (typed once the agent is ready).
  wait: z.boolean().optional(),
});
export const mergeBodySchema = z.strictObject({
  into: z.string().min(1).max(200).optional(),
  squash: z.boolean().optional(),
  // Commit the worktree's uncommitted files on the worker's branch first, with `message`.
  commitUncommitted: z.boolean().optional(),
  message: z.string().min(1).max(5_000).optional(),
});

export const answerBodySchema = z.strictObject({
  choice: z.string().min(1).max(200),
  // The question the answer is for: refused when the dialog on screen asks something else.
  question: z.string().max(2_000).optional(),
});

// Keys from the dashboard's interactive terminal: which names are allowed is pressKeys' to say.
export const keysBodySchema = z.strictObject({
  keys: z
    .array(
      z.union([
        z.strictObject({ key: z.string().min(1).max(16) }),
        z.strictObject({ text: z.string().min(1).max(4096).refine((t) => !/[\r\n]/.test(t), 'text may not hold a line break: press {"key":"Enter"}') }),
      ]),
    )
    .min(1)
    .max(256),
});

export const terminalLinesSchema = z.coerce.number().int().min(1).max(MAX_TERMINAL_LINES);

// Each action's arguments as another host sends them.
export const actionArgs = {
  spawn: spawnBodySchema,
  kill: z.strictObject({ id: agentIdSchema, force: z.boolean().optional(), keep: z.boolean().optional() }),
  diff: z.strictObject({ id: agentIdSchema }),
  mergePreview: z.strictObject({ id: agentIdSchema, into: z.string().min(1).max(200).optional() }),
  merge: z.strictObject({ id: agentIdSchema, options: mergeBodySchema }),
  dialog: z.strictObject({ id: agentIdSchema }),
  answer: z.strictObject({ id: agentIdSchema, ...answerBodySchema.shape }),
  keys: z.strictObject({ id: agentIdSchema, ...keysBodySchema.shape }),
  interrupt: z.strictObject({ id: agentIdSchema }),
  terminal: z.strictObject({ id: agentIdSchema, lines: terminalLinesSchema, escapes: z.boolean().optional(), ifNot: z.string().max(100).optional() }),
  withdraw: z.strictObject({ message: mailboxMessageSchema, detail: z.string().max(2_000) }),
} as const;
export type AgentAction = keyof typeof actionArgs;

