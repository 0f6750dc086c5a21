import type { WebSocket } from 'ws';

// The events cmux broadcasts to every connected dashboard (docs/REFERENCE.md, WebSocket).
export const WS_EVENTS = {
  agentCreated: 'agent_created',
  agentRemoved: 'agent_removed',
  agentStatus: 'agent_status',
  // An agent's last screen lines changed (the overview's cards): {id, preview}.
  agentPreview: 'agent_preview',
  message: 'message',
  // Where a message's delivery stands: {id, from, to, status, detail}.
  messageStatus: 'message_status',
  alert: 'alert',
  // An alert acknowledged (from any dashboard or the API): {id, at}.
  alertAcked: 'alert_acked',
  health: 'health',
  process: 'process',
  // A host of the cluster came or went, or beat with other apps or health: {host, reachable,
  // lastSeen, apps, health, agents}.
  hostStatus: 'host_status',
} as const;
export type WsEvent = (typeof WS_EVENTS)[keyof typeof WS_EVENTS];

// The frames one client gets on its own socket, never broadcast: the greeting, the terminal it
// subscribed to, and a refusal of what it sent.
export const WS_REPLIES = { hello: 'hello', terminal: 'terminal', error: 'error' } as const;
export type WsReply = (typeof WS_REPLIES)[keyof typeof WS_REPLIES];

// A client slower than this many unsent bytes is dropped rather than buffered without bound.
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export type Hub = ReturnType<typeof createHub>;

// One frame as a client reads it: the event, its data, and when it was sent.
export function wsFrame(event: WsEvent | WsReply, data: unknown): string {
  return JSON.stringify({ event, data, ts: new Date().toISOString() });
}

// Every connected dashboard, and one way to send them all an event.
export function createHub() {
  const clients = new Set<WebSocket>();
  return {
    add(socket: WebSocket): void {
      clients.add(socket);
      socket.on('close', () => clients.delete(socket));
      socket.on('error', () => clients.delete(socket));
    },
    broadcast(event: WsEvent, data: unknown): void {
      const frame = wsFrame(event, data);
      for (const socket of clients) {
        if (socket.bufferedAmount > MAX_BUFFERED_BYTES) socket.terminate();
        else if (socket.readyState === socket.OPEN) socket.send(frame);
      }
    },
    get size(): number {
      return clients.size;
    },
    closeAll(): void {
      for (const socket of clients) socket.close(1001, 'server stopping');
      clients.clear();
    },
  };
}
