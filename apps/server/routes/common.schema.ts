import * as z from 'zod';

// Pieces the route groups' schemas share. No text field has a size limit of its own: the body
// limit (server.bodyLimitBytes, counted in bytes) bounds them all.

// A project's name, as `?project=` and the projects routes take it.
export const projectName = z.string().min(1).max(64);

// An agent in the path. Any string that fits: one that names no agent is a 404, not a 400.
export const agentParams = z.object({ id: z.string().min(1).max(200) });

// A yes/no query parameter.
export const queryFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

// How many items a page holds, from 1 to `max`.
export const pageLimit = (max: number) => z.coerce.number().int().min(1).max(max).default(50);
