import type { FastifyPluginAsync } from 'fastify';
import type { WebSocket } from 'ws';
import type * as z from 'zod';
import { findAgent, type AgentDeps } from '../../agents/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import type { StatusMonitor } from '../agents/status-monitor.js';
import { errorBody } from '../errors.js';
import { WS_EVENTS, WS_REPLIES, wsFrame, type Hub } from '../ws/hub.js';
import { MAX_TERMINAL_STREAMS, wsClientMessage } from './ws.schema.js';

const TERMINAL_POLL_MS = 500;
const TERMINAL_HISTORY_LINES = 1_000;

// Streams the subscribed agents' panes (with their colours) to the socket, each sending a
// frame only when its screen changed. A new subscription replaces the last one.
function streamTerminals(socket: WebSocket, agents: AgentDeps) {
  const timers = new Set<NodeJS.Timeout>();
  let generation = 0;
  const stop = () => {
    generation += 1;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
  socket.on('close', stop);
  const stream = async (id: string, mine: number) => {
    // A window that is gone has nothing live to stream (GET …/terminal answers its archive);
    // its old id may name another window by now.
    const { window } = await findAgent(agents, id);
    if (!window || mine !== generation) return;
    let last = '';
    const tick = async () => {
      if (mine !== generation || socket.readyState !== socket.OPEN) return;
      const text = await agents.tmux.capturePane(window.windowId, { historyLines: TERMINAL_HISTORY_LINES, escapes: true }).catch(() => null);
      if (text !== null && text !== last && mine === generation) {
        last = text;
        socket.send(wsFrame(WS_REPLIES.terminal, { id, text }));
      }
      if (mine === generation) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          void tick();
        }, TERMINAL_POLL_MS);
        timers.add(timer);
      }
    };
    await tick();
  };
  // What could not be streamed (an unknown agent), each on its own: the others stream.
  return async (ids: readonly string[]): Promise<unknown[]> => {
    stop();
    const mine = generation;
    const results = await Promise.allSettled([...new Set(ids)].map((id) => stream(id, mine)));
    return results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  };
}

// WS /api/ws: the live event stream, and a terminal stream on request. The token hook of the
// protected scope has already run.
export const wsRoutes: FastifyPluginAsync<{ hub: Hub; agents: AgentDeps; monitor: StatusMonitor }> = async (app, { hub, agents, monitor }) => {
  app.get(
    '/api/ws',
    { websocket: true },
    (socket) => {
      hub.add(socket);
      const subscribe = streamTerminals(socket, agents);
      // A refusal on the socket has the HTTP refusals' shape, in an `error` frame.
      const refuse = (error: unknown) => {
        if (!(error instanceof CmuxError)) agents.logger.error(`WebSocket request failed: ${(error as Error).message}`, { error });
        const refusal = error instanceof CmuxError ? error : new CmuxError('CMUX_ERR_INTERNAL', 'internal error; see the cmux-server log');
        socket.send(wsFrame(WS_REPLIES.error, errorBody(refusal)));
      };
      socket.on('message', (raw) => {
        let parsed: z.infer<typeof wsClientMessage>;
        try {
          parsed = wsClientMessage.parse(JSON.parse(String(raw)));
        } catch {
          refuse(new CmuxError('CMUX_ERR_BAD_REQUEST', `send {"subscribe": "<agent>"}, {"subscribe": ["<agent>", …]} (up to ${MAX_TERMINAL_STREAMS}) or {"subscribe": null}`));
          return;
        }
        const wanted = parsed.subscribe;
        void subscribe(wanted === null ? [] : typeof wanted === 'string' ? [wanted] : wanted).then((failures) => failures.forEach(refuse));
      });
      socket.send(wsFrame(WS_REPLIES.hello, { clients: hub.size }));
      // The cards' last lines as they stand; `agent_preview` frames bring each change after.
      for (const [id, preview] of monitor.previews) socket.send(wsFrame(WS_EVENTS.agentPreview, { id, preview }));
    },
  );
};
