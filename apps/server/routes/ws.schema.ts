import * as z from 'zod';
import { HOST_NAME } from '../../core/src/mailbox/index.js';

// The most terminals one page streams at once: the grid's six.
export const MAX_TERMINAL_STREAMS = 6;

// Another host's agent carries its host: w1@b.
const agentId = z.string().regex(new RegExp(`^[A-Za-z0-9][A-Za-z0-9_:-]{0,96}(@${HOST_NAME})?$`));

// What a dashboard sends on the socket: the agent whose terminal to stream, the agents (up to
// six, the grid's) whose terminals to stream, or null for none. Each message replaces the last.
export const wsClientMessage = z.object({ subscribe: z.union([agentId, z.array(agentId).max(MAX_TERMINAL_STREAMS), z.null()]) });
