import type { FastifyPluginAsync } from 'fastify';
import type { WebSocket } from 'ws';
import type * as z from 'zod';
import { findAgent, type AgentDeps } from '../../agents/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import type { ClusterSide } from '../cluster/side.js';
import { errorBody } from '../errors.js';
import { WS_REPLIES, wsFrame, type Hub } from '../ws/hub.js';
import { wsClientMessage } from './ws.schema.js';

const TERMINAL_POLL_MS = 500;
const TERMINAL_HISTORY_LINES = 1_000;

// Streams one agent's pane (with its colours) to the socket while it is subscribed, sending a
// frame only when the screen changed. Another host's agent's pane is asked of its host, one
// request at a time, which answers only when it changed.
function streamTerminal(socket: WebSocket, agents: AgentDeps, cluster: ClusterSide) {
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
    const target = cluster.opsFor(id);
    if (target.host) {
      let digest: string | undefined;
      const poll = async () => {
        if (mine !== generation || socket.readyState !== socket.OPEN) return;
        const answer = await target.ops.terminal({ id: target.id, lines: TERMINAL_HISTORY_LINES, escapes: true, ...(digest ? { ifNot: digest } : {}) });
        if ('text' in answer && !answer.archived && mine === generation) {
          digest = answer.digest;
          socket.send(wsFrame('terminal', { id, text: answer.text }));
        }
      };
      const tick = () => {
        if (mine === generation) timer = setTimeout(() => void poll().catch(() => undefined).finally(tick), TERMINAL_POLL_MS);
      };
      await poll();
      tick();
      return;
    }
    // A window that is gone has nothing live to stream (GET …/terminal answers its archive);
    // its old id may name another window by now.
    const { window } = await findAgent(agents, target.id);
    if (!window) return;
    let last = '';
    const tick = async () => {
      if (mine !== generation || socket.readyState !== socket.OPEN) return;
      const text = await agents.tmux.capturePane(window.windowId, { historyLines: TERMINAL_HISTORY_LINES, escapes: true }).catch(() => null);
      if (text !== null && text !== last && mine === generation) {
        last = text;
        socket.send(wsFrame(WS_REPLIES.terminal, { id, text }));
      }
      if (mine === generation) timer = setTimeout(() => void tick(), TERMINAL_POLL_MS);
    };
    await tick();
  };
}

// WS /api/ws: the live event stream, and a terminal stream on request. The token hook of the
// protected scope has already run.
export const wsRoutes: FastifyPluginAsync<{ hub: Hub; agents: AgentDeps; cluster: ClusterSide }> = async (app, { hub, agents, cluster }) => {
  app.get(
    '/api/ws',
    { websocket: true },
    (socket) => {
      hub.add(socket);
      const subscribe = streamTerminal(socket, agents, cluster);
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
          refuse(new CmuxError('CMUX_ERR_BAD_REQUEST', 'send {"subscribe": "<agent>"} or {"subscribe": null}'));
          return;
        }
        subscribe(parsed.subscribe).catch(refuse);
      });
      socket.send(wsFrame(WS_REPLIES.hello, { clients: hub.size }));
    },
  );
};
