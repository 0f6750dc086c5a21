import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyPluginAsync } from 'fastify';
import type { WebSocket } from 'ws';
import type * as z from 'zod';
import { findAgent, type AgentDeps } from '../../agents/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import type { PaneWatch } from '../../core/src/tmux/index.js';
import type { StatusMonitor } from '../agents/status-monitor.js';
import type { ClusterSide } from '../cluster/side.js';
import { errorBody } from '../errors.js';
import { WS_EVENTS, WS_REPLIES, wsFrame, type Hub } from '../ws/hub.js';
import { MAX_TERMINAL_STREAMS, wsClientMessage } from './ws.schema.js';

const TERMINAL_HISTORY_LINES = 1_000;
// The screen is captured when the pane printed (at most every TERMINAL_GAP_MS while it keeps
// printing), and at least every TERMINAL_SAFETY_MS (tmux's own drawing prints nothing);
// without a stream of the pane's output, every TERMINAL_POLL_MS.
const TERMINAL_GAP_MS = 50;
const TERMINAL_SAFETY_MS = 5_000;
const TERMINAL_POLL_MS = 500;

// Streams the subscribed agents' panes (with their colours) to the socket, each sending a
// frame only when its screen changed. A new subscription replaces the last one. Another host's
// agent's pane is asked of its host, one request at a time, which answers only when it changed.
function streamTerminals(socket: WebSocket, agents: AgentDeps, cluster: ClusterSide) {
  let generation = 0;
  const watches = new Set<PaneWatch>();
  const stop = () => {
    generation += 1;
    for (const watch of watches) watch.close();
    watches.clear();
  };
  socket.on('close', stop);
  const liveFor = (mine: number) => () => mine === generation && socket.readyState === socket.OPEN;
  const follow = async (id: string, windowId: string, mine: number) => {
    const live = liveFor(mine);
    const watching = await agents.tmux.watchPane(windowId).catch(() => null);
    if (watching && !live()) return watching.close();
    if (watching) watches.add(watching);
    let last = '';
    while (live()) {
      const looked = Date.now();
      const text = await agents.tmux.capturePane(windowId, { historyLines: TERMINAL_HISTORY_LINES, escapes: true }).catch(() => null);
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
  const followRemote = async (id: string, target: ReturnType<ClusterSide['opsFor']>, mine: number) => {
    const live = liveFor(mine);
    let digest: string | undefined;
    const ask = async () => {
      const answer = await target.ops.terminal({ id: target.id, lines: TERMINAL_HISTORY_LINES, escapes: true, ...(digest ? { ifNot: digest } : {}) });
      if ('text' in answer && !answer.archived && live()) {
        digest = answer.digest;
        socket.send(wsFrame(WS_REPLIES.terminal, { id, text: answer.text }));
      }
    };
    // The first answer says whether the host has such an agent; a later failure (the host
    // unreachable a while) is asked again.
    await ask();
    void (async () => {
      while (live()) {
        await sleep(TERMINAL_POLL_MS);
        if (live()) await ask().catch(() => undefined);
      }
    })();
  };
  const stream = async (id: string, mine: number) => {
    const target = cluster.opsFor(id);
    if (target.host) return followRemote(id, target, mine);
    // A window that is gone has nothing live to stream (GET …/terminal answers its archive);
    // its old id may name another window by now.
    const { window } = await findAgent(agents, target.id);
    if (!window || mine !== generation) return;
    void follow(id, window.windowId, mine).catch((error: Error) => agents.logger.error(`terminal stream of ${id} ended: ${error.message}`, { error }));
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
export const wsRoutes: FastifyPluginAsync<{ hub: Hub; agents: AgentDeps; monitor: StatusMonitor; cluster: ClusterSide }> = async (app, { hub, agents, monitor, cluster }) => {
  app.get(
    '/api/ws',
    { websocket: true },
    (socket) => {
      hub.add(socket);
      const subscribe = streamTerminals(socket, agents, cluster);
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
      for (const [id, preview] of monitor.allPreviews()) socket.send(wsFrame(WS_EVENTS.agentPreview, { id, preview }));
    },
  );
};
