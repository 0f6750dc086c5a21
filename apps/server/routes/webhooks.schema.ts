import * as z from 'zod';

// A webhook's body as its parser keeps it: the exact bytes (the signature covers them) beside
// the parsed JSON.
export interface WebhookBody {
  raw: Buffer;
  json: unknown;
}

// Any JSON is a webhook's payload; only the source in the path is checked, and that there is one.
export const webhookSchemas = {
  receive: {
    params: z.object({
      source: z
        .string()
        .regex(/^[a-z0-9][a-z0-9_-]{0,47}$/, 'a source name: lowercase letters, digits, _ and -')
        .refine((s) => s !== 'health', 'health is not a webhook source'),
    }),
    body: z.custom<WebhookBody>((v) => Buffer.isBuffer((v as Partial<WebhookBody> | undefined)?.raw), 'a JSON body is required (Content-Type: application/json)'),
  },
};
