import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { badInput, CmuxError, type ErrorCode } from '../core/src/errors/index.js';
import type { Logger } from '../core/src/log/index.js';

// The one shape of every refusal the server sends (docs/errors.md): what is wrong, a stable
// code to branch on, and for bad input the field it is about.
export interface ErrorBody {
  error: string;
  code: ErrorCode;
  field?: string;
}

export function errorBody(error: CmuxError): ErrorBody {
  const { field } = error.context;
  return { error: error.message, code: error.code, ...(typeof field === 'string' ? { field } : {}) };
}

// Where Fastify's validation failed, as a client names it.
const PARTS: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'headers' };

// What Fastify itself refuses (parsing, limits, routing), with the code cmux answers it with.
const FRAMEWORK: Record<string, { code: ErrorCode; message: (request: FastifyRequest) => string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'CMUX_ERR_BODY_TOO_LARGE',
    message: (request) => `the body is larger than the ${request.routeOptions.bodyLimit ?? '?'} bytes this route takes (server.bodyLimitBytes; webhooks.bodyLimitBytes for webhooks)`,
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'CMUX_ERR_UNSUPPORTED_MEDIA_TYPE',
    message: (request) => `only JSON bodies are taken (Content-Type: application/json), not ${JSON.stringify(String(request.headers['content-type'] ?? '').slice(0, 100))}`,
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'CMUX_ERR_BAD_REQUEST', message: () => 'the body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'CMUX_ERR_BAD_REQUEST', message: () => 'the body is empty: send JSON, or no Content-Type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'CMUX_ERR_BAD_REQUEST', message: () => 'the Content-Length does not match the body' },
  FST_ERR_BAD_URL: { code: 'CMUX_ERR_BAD_REQUEST', message: () => 'the path is not valid percent-encoded UTF-8' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'CMUX_ERR_URI_TOO_LONG', message: () => 'a name in the path is longer than 100 characters' },
};

// Any failure as the CmuxError the client is answered with: cmux's own as they are, a route
// schema's as CMUX_ERR_BAD_REQUEST naming the field, Fastify's refusals by their code.
// Null for a failure of the server itself (a 5xx), which is logged and answered without detail.
export function asCmuxError(error: unknown, request: FastifyRequest): CmuxError | null {
  if (error instanceof CmuxError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const [issue] = error.validation;
    const where = PARTS[String((error as { validationContext?: string }).validationContext)] ?? 'request';
    return badInput({ path: issue!.instancePath.split('/').filter(Boolean), message: issue!.message ?? 'invalid' }, where);
  }
  const { code, statusCode } = error as Partial<FastifyError>;
  const known = code === undefined ? undefined : FRAMEWORK[code];
  if (known) return new CmuxError(known.code, known.message(request));
  // JSON.parse's own SyntaxError, and anything else the HTTP layer refuses as the client's fault.
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) return new CmuxError('CMUX_ERR_BAD_REQUEST', (error as Error).message);
  return null;
}

// Answers a request with its error in the one shape; a server failure is logged with its stack
// and the client learns only where to look.
export function replyWithError(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): FastifyReply {
  const refusal = asCmuxError(error, request);
  if (refusal && refusal.status < 500) return reply.code(refusal.status).send(errorBody(refusal));
  logger.error(`${request.method} ${request.url} failed: ${(error as Error).message}`, { code: refusal?.code, error });
  const failure = refusal ?? new CmuxError('CMUX_ERR_INTERNAL', 'internal error; see the cmux-server log');
  return reply.code(failure.status).send(errorBody(failure));
}

// What Node's HTTP parser refuses before Fastify sees a request (headers too large, a client
// too slow to send them, bytes that are not HTTP): the same shape, written to the socket.
export function replyToClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const refusal =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new CmuxError('CMUX_ERR_HEADERS_TOO_LARGE', 'the request line and headers are larger than 16 KiB')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new CmuxError('CMUX_ERR_REQUEST_TIMEOUT', 'the request was not received in time')
        : new CmuxError('CMUX_ERR_BAD_REQUEST', 'the request is not valid HTTP');
  const body = JSON.stringify(errorBody(refusal));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
