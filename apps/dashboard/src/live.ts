import { useEffect, useRef, useState } from 'react';
import { liveProtocols } from './api';

export type ConnectionState = 'connecting' | 'live' | 'offline';
export interface LiveFrame {
  event: string;
  data: unknown;
  ts: string;
}

// Short: the server is on this machine, and a restart should show on the page within seconds.
const MAX_BACKOFF_MS = 4_000;

// The event stream: one WebSocket, reconnected with exponential backoff, its state visible.
// `subscribe` names the agents whose terminals to stream (one, the grid's few, or none); it is
// re-sent on reconnect.
// `opens` counts the times it came up (the page re-fetches everything each time: frames sent
// while it was down are lost); `lostAt` is when it went down (or first failed to come up).
export function useLive(enabled: boolean, onFrame: (frame: LiveFrame) => void) {
  const [state, setState] = useState<ConnectionState>('connecting');
  const [opens, setOpens] = useState(0);
  const [lostAt, setLostAt] = useState<number | null>(null);
  const handler = useRef(onFrame);
  handler.current = onFrame;
  const socket = useRef<WebSocket | null>(null);
  const subscription = useRef<readonly string[]>([]);

  useEffect(() => {
    if (!enabled) return;
    let attempt = 0;
    let timer: number | undefined;
    let closed = false;
    const connect = () => {
      setState('connecting');
      const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws`, liveProtocols());
      socket.current = ws;
      ws.onopen = () => {
        attempt = 0;
        setState('live');
        setLostAt(null);
        setOpens((n) => n + 1);
        if (subscription.current.length > 0) ws.send(JSON.stringify({ subscribe: subscription.current }));
      };
      ws.onmessage = (event) => handler.current(JSON.parse(String(event.data)) as LiveFrame);
      ws.onclose = () => {
        socket.current = null;
        if (closed) return;
        setState('offline');
        setLostAt((at) => at ?? Date.now());
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

  const subscribe = (agents: readonly string[]) => {
    subscription.current = agents;
    socket.current?.readyState === WebSocket.OPEN && socket.current.send(JSON.stringify({ subscribe: agents }));
  };
  return { state, opens, lostAt, subscribe };
}
