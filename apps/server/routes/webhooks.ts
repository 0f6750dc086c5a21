import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import { writeAttachment } from '../../core/src/journal/index.js';
import { appendMessage } from '../../core/src/mailbox/index.js';
import { presentedToken } from '../auth/hook.js';
import { tokenMatches } from '../auth/token.js';
import { createReplayGuard } from '../webhooks/replay-guard.js';
import { webhookSchemas as schema, type WebhookBody } from './webhooks.schema.js';

// Whether `header` is GitHub's `sha256=<hex>` HMAC of `raw` with `secret` (constant time).
export function signatureMatches(raw: Buffer, header: string | undefined, secret: string): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

// POST /api/webhooks/:source: a source with a secret must sign its body (X-Hub-Signature-256);
// any other needs the token. The payload is saved in the journal and the supervisor is told.
// A replay (the same delivery id, or the same signed body) is answered 200 and stored no more:
// GitHub signs the body only, so a captured signed body cannot come back under another event
// header either.
export const webhookRoutes: FastifyPluginAsyncZod<{ config: CmuxConfig; token: string }> = async (app, { config, token }) => {
  const replays = createReplayGuard();
  // The signature covers the exact bytes, so the body is kept raw beside its parsed JSON.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, raw, done) => {
    try {
      const bytes = raw as Buffer;
      done(null, { raw: bytes, json: JSON.parse(bytes.toString('utf8')) } satisfies WebhookBody);
    } catch {
      done(new CmuxError('CMUX_ERR_BAD_REQUEST', 'the body is not valid JSON'), undefined);
    }
  });

  app.post('/api/webhooks/:source', { schema: schema.receive, bodyLimit: config.webhooks.bodyLimitBytes }, async (request, reply) => {
    const { source } = request.params;
    const body = request.body;
    const secret = config.webhooks.sources[source]?.secret;
    const signature = request.headers['x-hub-signature-256'];
    const authorised = secret
      ? signatureMatches(body.raw, Array.isArray(signature) ? signature[0] : signature, secret)
      : tokenMatches(presentedToken(request), token);
    if (!authorised) {
      throw new CmuxError(
        'CMUX_ERR_UNAUTHORIZED',
        secret ? `the X-Hub-Signature-256 of this ${source} webhook is missing or wrong` : 'send the token, or configure webhooks.sources.<source>.secret for signed webhooks',
      );
    }
    const event = request.headers['x-github-event'] ?? request.headers['x-event-type'];
    const eventName = typeof event === 'string' ? event.replace(/[^\w.-]/g, '').slice(0, 60) : '';
    const delivery = request.headers['x-github-delivery'];
    const deliveryId = typeof delivery === 'string' && delivery !== '' ? delivery.slice(0, 200) : undefined;
    const release = replays.claim({ source, deliveryId, signedBody: secret ? body.raw : undefined });
    if (!release) return reply.code(200).send({ duplicate: true });
    try {
      // The payload as it arrived, byte for byte (re-serialising could fail on deep input).
      const file = writeAttachment(config.home, `webhook-${source}${eventName ? `-${eventName}` : ''}`, 'json', body.raw.toString('utf8'));
      const message = await appendMessage(config.home, {
        from: `webhook:${source}`,
        to: 'supervisor',
        subject: `[WEBHOOK] ${source}${eventName ? ` ${eventName}` : ''}`,
        body: `A ${source} webhook arrived. Its payload is saved at ${file}.`,
      });
      return await reply.code(202).send({ id: message.id, attachment: file });
    } catch (error) {
      release();
      throw error;
    }
  });
};
