import { useEffect, useRef, useState } from 'react';

export type ConnectionState = 'connecting' | 'live' | 'offline';
export interface LiveFrame {
  event: string;
  data: unknown;
  ts: string;
}

const MAX_BACKOFF_MS = 15_000;

// The event stream: one WebSocket, reconnected with exponential backoff, its state visible.
// `send` asks the server for things like a terminal subscription; it is re-sent on reconnect.
export function useLive(enabled: boolean, onFrame: (frame: LiveFrame) => void) {
  const [state, setState] = useState<ConnectionState>('connecting');
  const handler = useRef(onFrame);
  handler.current = onFrame;
  const socket = useRef<WebSocket | null>(null);
  const subscription = useRef<string | null>(null);

  useEffect(() => {
    if (!enabled) return;
    let attempt = 0;
    let timer: number | undefined;
    let closed = false;
    const connect = () => {
      setState('connecting');
      const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws`);
      socket.current = ws;
      ws.onopen = () => {
        attempt = 0;
        setState('live');
        if (subscription.current) ws.send(JSON.stringify({ subscribe: subscription.current }));
      };
      ws.onmessage = (event) => handler.current(JSON.parse(String(event.data)) as LiveFrame);
      ws.onclose = () => {
        socket.current = null;
        if (closed) return;
        setState('offline');
        const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt++);
        timer = window.setTimeout(connect, delay);
      };
    };
    connect();
    return () => {
      closed = true;
      window.clearTimeout(timer);
      socket.current?.close();
    };
  }, [enabled]);

  const subscribe = (agent: string | null) => {
    subscription.current = agent;
    socket.current?.readyState === WebSocket.OPEN && socket.current.send(JSON.stringify({ subscribe: agent }));
  };
  return { state, subscribe };
}
