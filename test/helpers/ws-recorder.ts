import WebSocket from 'ws';

export interface Frame {
  event: string;
  data: any;
}

// A dashboard stand-in: keeps a WebSocket to the server open (reconnecting after the server is
// killed), records every frame and counts `message` frames per id, so a frame sent twice shows.
export function wsRecorder(url: () => string) {
  const frames: Frame[] = [];
  const messageFrames = new Map<string, number>();
  let socket: WebSocket | undefined;
  let closed = false;
  let connects = 0;
  // When the socket was last seen closed, and each stretch it was down for.
  let downSince: number | null = null;
  const gaps: Array<[number, number]> = [];
  let opened: (() => void) | undefined;
  const firstOpen = new Promise<void>((resolve) => (opened = resolve));

  const connect = () => {
    if (closed) return;
    const ws = new WebSocket(url());
    socket = ws;
    ws.on('open', () => {
      connects += 1;
      if (downSince !== null) gaps.push([downSince, Date.now()]);
      downSince = null;
      opened?.();
    });
    ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as Frame;
      frames.push(frame);
      if (frame.event === 'message') messageFrames.set(frame.data.id, (messageFrames.get(frame.data.id) ?? 0) + 1);
    });
    ws.on('error', () => undefined);
    // The server is down or restarting: try again shortly, as the dashboard does.
    ws.on('close', () => {
      downSince ??= Date.now();
      if (!closed) setTimeout(connect, 200);
    });
  };
  connect();

  return {
    frames,
    messageFrames,
    get connects() {
      return connects;
    },
    open: () => firstOpen,
    // The stretches the socket was down, up to now.
    gaps: (): Array<[number, number]> => (downSince === null ? [...gaps] : [...gaps, [downSince, Date.now()]]),
    close() {
      closed = true;
      socket?.terminate();
    },
  };
}
