import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyPluginAsync } from 'fastify';
import type { WebSocket } from 'ws';
import type * as z from 'zod';
import { findAgent, type AgentDeps } from '../../agents/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import type { PaneWatch } from '../../core/src/tmux/index.js';
import { errorBody } from '../errors.js';
import { WS_REPLIES, wsFrame, type Hub } from '../ws/hub.js';
import { wsClientMessage } from './ws.schema.js';

const TERMINAL_HISTORY_LINES = 1_000;
// The screen is captured when the pane printed (at most every TERMINAL_GAP_MS while it keeps
// printing), and at least every TERMINAL_SAFETY_MS (tmux's own drawing prints nothing);
// without a stream of the pane's output, every TERMINAL_POLL_MS.
const TERMINAL_GAP_MS = 50;
const TERMINAL_SAFETY_MS = 5_000;
const TERMINAL_POLL_MS = 500;

// Streams one agent's pane (with its colours) to the socket while it is subscribed, sending a
// frame only when the screen changed.
function streamTerminal(socket: WebSocket, agents: AgentDeps) {
  let generation = 0;
  let watch: PaneWatch | null = null;
  const stop = () => {
    generation += 1;
    watch?.close();
    watch = null;
  };
  socket.on('close', stop);
  return async (id: string | null) => {
    stop();
    if (id === null) return;
    const mine = generation;
    const live = () => mine === generation && socket.readyState === socket.OPEN;
    // A window that is gone has nothing live to stream (GET …/terminal answers its archive);
    // its old id may name another window by now.
    const { window } = await findAgent(agents, id);
    if (!window || !live()) return;
    const watching = await agents.tmux.watchPane(window.windowId).catch(() => null);
    if (!live()) return watching?.close();
    watch = watching;
    let last = '';
    while (live()) {
      const looked = Date.now();
      const text = await agents.tmux.capturePane(window.windowId, { historyLines: TERMINAL_HISTORY_LINES, escapes: true }).catch(() => null);
      if (text !== null && text !== last && live()) {
        last = text;
        socket.send(wsFrame(WS_REPLIES.terminal, { id, text }));
      }
      if (!live()) return;
      if (watching) await watching.printed(TERMINAL_SAFETY_MS, TERMINAL_POLL_MS);
      else await sleep(TERMINAL_POLL_MS);
      await sleep(Math.max(0, TERMINAL_GAP_MS - (Date.now() - looked)));
    }
  };
}

// WS /api/ws: the live event stream, and a terminal stream on request. The token hook of the
// protected scope has already run.
export const wsRoutes: FastifyPluginAsync<{ hub: Hub; agents: AgentDeps }> = async (app, { hub, agents }) => {
  app.get(
    '/api/ws',
    { websocket: true },
    (socket) => {
      hub.add(socket);
      const subscribe = streamTerminal(socket, agents);
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
