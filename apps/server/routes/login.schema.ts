import * as z from 'zod';

export const loginSchemas = {
  login: { body: z.union([z.strictObject({ token: z.string().min(1).max(500) }), z.strictObject({ code: z.string().min(1).max(200) })]) },
};
