import * as z from 'zod';
import { AGENT_NAME, KIND_NAME } from '../../core/src/agents/index.js';
import { pageLimit } from './common.schema.js';

// The hook events' input: what scripts/agent-hook.mjs posts, and the activity stream's query.
export const agentEventSchemas = {
  report: {
    body: z.strictObject({
      agent: z.string().regex(AGENT_NAME, 'an agent name'),
      event: z.string().regex(/^[A-Za-z]{1,64}$/, 'a hook event name such as PostToolUse'),
      payload: z.record(z.string(), z.unknown()).optional(),
      // The kind whose hooks sent the event (its adapter reads it); Claude Code's hook script
      // names itself, and only Claude Code had hooks before kinds were named.
      kind: z.string().regex(KIND_NAME, 'an agent kind such as claude-code').default('claude-code'),
    }),
  },
  recent: { querystring: z.object({ agent: z.string().regex(AGENT_NAME, 'an agent name').optional(), limit: pageLimit(200) }) },
};
