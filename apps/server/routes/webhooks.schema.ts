import { z } from 'zod';

// Any JSON is a webhook's payload; only the source in the path is checked.
export const webhookSchemas = {
  receive: {
    params: z.object({
      source: z
        .string()
        .regex(/^[a-z0-9][a-z0-9_-]{0,47}$/, 'a source name: lowercase letters, digits, _ and -')
        .refine((s) => s !== 'health', 'health is not a webhook source'),
    }),
  },
};
