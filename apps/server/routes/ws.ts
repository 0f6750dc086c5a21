import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { findAgent, type AgentDeps } from '../../agents/index.js';
import type { Hub } from '../ws/hub.js';

const TERMINAL_POLL_MS = 500;
const TERMINAL_HISTORY_LINES = 1_000;
const clientMessage = z.object({ subscribe: z.union([z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_:-]{0,96}$/), z.null()]) });

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

// Streams one agent's pane (with its colours) to the socket while it is subscribed, sending a
// frame only when the screen changed.
function streamTerminal(socket: WebSocket, agents: AgentDeps) {
  let timer: NodeJS.Timeout | undefined;
  let generation = 0;
  const stop = () => {
    generation += 1;
    clearTimeout(timer);
  };
  socket.on('close', stop);
  return async (id: string | null) => {
    stop();
    if (id === null) return;
    const mine = generation;
    const { agent } = await findAgent(agents, id);
    let last = '';
    const tick = async () => {
      if (mine !== generation || socket.readyState !== socket.OPEN) return;
      const text = await agents.tmux.capturePane(agent.windowId, { historyLines: TERMINAL_HISTORY_LINES, escapes: true }).catch(() => null);
      if (text !== null && text !== last && mine === generation) {
        last = text;
        socket.send(JSON.stringify({ event: 'terminal', data: { id, text }, ts: new Date().toISOString() }));
      }
      if (mine === generation) timer = setTimeout(() => void tick(), TERMINAL_POLL_MS);
    };
    await tick();
  };
}

// WS /api/ws: the live event stream, and a terminal stream on request. The token hook of the
// protected scope has already run.
export const wsRoutes: FastifyPluginAsync<{ hub: Hub; agents: AgentDeps }> = async (app, { hub, agents }) => {
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
      const subscribe = streamTerminal(socket, agents);
      socket.on('message', (raw) => {
        let parsed: z.infer<typeof clientMessage>;
        try {
          parsed = clientMessage.parse(JSON.parse(String(raw)));
        } catch {
          socket.send(JSON.stringify({ event: 'error', data: { error: 'send {"subscribe": "<agent>"} or {"subscribe": null}' }, ts: new Date().toISOString() }));
          return;
        }
        subscribe(parsed.subscribe).catch((error: unknown) =>
          socket.send(JSON.stringify({ event: 'error', data: { error: (error as Error).message }, ts: new Date().toISOString() })),
        );
      });
      socket.send(JSON.stringify({ event: 'hello', data: { clients: hub.size }, ts: new Date().toISOString() }));
    },
  );
};
