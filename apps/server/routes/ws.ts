import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Hub } from '../ws/hub.js';

// Whether a browser's Origin is this server itself: a page from any other site may not open
// the socket with the user's cookie (cross-site WebSocket hijacking).
export function originAllowed(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

// WS /api/ws: the live event stream. The token hook of the protected scope has already run.
export const wsRoutes: FastifyPluginAsync<{ hub: Hub }> = async (app, { hub }) => {
  app.get(
    '/api/ws',
    {
      websocket: true,
      preValidation: async (request, reply) => {
        if (!originAllowed(request)) await reply.code(403).send({ error: `WebSocket from a foreign origin refused: ${request.headers.origin}` });
      },
    },
    (socket) => {
      hub.add(socket);
      socket.send(JSON.stringify({ event: 'hello', data: { clients: hub.size }, ts: new Date().toISOString() }));
    },
  );
};
