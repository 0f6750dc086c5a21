import * as z from 'zod';

// What a dashboard sends on the socket: the agent whose terminal to stream, or null for none.
export const wsClientMessage = z.object({ subscribe: z.union([z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_:-]{0,96}$/), z.null()]) });
