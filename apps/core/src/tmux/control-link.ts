import { openControlConnection, type ControlConnection, type TmuxEvent } from './control.js';

// The first retry comes soon (a server and session that did not exist yet often do a moment
// later); a server that stays away is tried every few seconds, by whichever call comes then.
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;

export interface ControlLinkOptions {
  baseArgs: readonly string[];
  session: string;
  env: () => NodeJS.ProcessEnv;
  timeoutMs: number;
}

// What an output listener hears: the pane printed, or the stream went down (nothing more will
// be heard until it is back, so the listener cannot tell).
export type OutputSignal = 'printed' | 'unknown';

export type ControlLink = ReturnType<typeof createControlLink>;

// Keeps one control-mode connection up when it can, trying from the start: while there is none
// (no server or session yet, a server restarted, a connection reset) every command is run by a
// spawned tmux, and the next command after a pause starts a new attempt in the background.
export function createControlLink(options: ControlLinkOptions) {
  let connection: ControlConnection | null = null;
  let connecting = false;
  let closed = false;
  let nextAttempt = 0;
  let retryMs = RETRY_MIN_MS;
  const outputListeners = new Map<string, Set<(signal: OutputSignal) => void>>();
  const eventListeners = new Set<(event: TmuxEvent) => void>();

  function emit(event: TmuxEvent): void {
    if (event.type === 'output') for (const listener of outputListeners.get(event.pane) ?? []) listener('printed');
    if (event.type === 'stream' && !event.live) for (const listeners of outputListeners.values()) for (const listener of listeners) listener('unknown');
    for (const listener of eventListeners) listener(event);
  }

  // While someone listens for events, the next attempt comes by itself; otherwise with the next call.
  function backOff(): void {
    nextAttempt = Date.now() + retryMs;
    if (eventListeners.size > 0) setTimeout(connect, retryMs).unref();
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  }

  function connect(): void {
    if (closed || connection || connecting || Date.now() < nextAttempt) return;
    connecting = true;
    let established: ControlConnection | null = null;
    openControlConnection({
      ...options,
      env: options.env(),
      onEvent: emit,
      onClose: () => {
        if (!established || connection !== established) return;
        connection = null;
        backOff();
        emit({ type: 'stream', live: false });
      },
    }).then(
      async (opened) => {
        connecting = false;
        if (closed) return opened.close();
        established = opened;
        connection = opened;
        retryMs = RETRY_MIN_MS;
        if (eventListeners.size > 0) await opened.watchPaneStates().catch(() => undefined);
        if (!opened.closed) emit({ type: 'stream', live: true });
      },
      () => {
        connecting = false;
        backOff();
      },
    );
  }

  // Connecting takes a spawn and a round trip: begun at once, it is done before the app's first
  // messages, which would otherwise pay for it.
  connect();
  return {
    session: options.session,
    // The live connection, or null: then the caller runs tmux itself, and an attempt to connect
    // is started in the background when one is due.
    current(): ControlConnection | null {
      if (connection && !connection.closed) return connection;
      connect();
      return null;
    },
    get live(): boolean {
      return connection !== null && !connection.closed;
    },
    // The session may exist now (this client just made it): try at once.
    connectSoon(): void {
      nextAttempt = 0;
      connect();
    },
    onEvent(listener: (event: TmuxEvent) => void): () => void {
      eventListeners.add(listener);
      if (connection && !connection.closed) connection.watchPaneStates().catch(() => undefined);
      else connect();
      return () => eventListeners.delete(listener);
    },
    onOutput(pane: string, listener: (signal: OutputSignal) => void): () => void {
      const listeners = outputListeners.get(pane) ?? new Set();
      listeners.add(listener);
      outputListeners.set(pane, listeners);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && outputListeners.get(pane) === listeners) outputListeners.delete(pane);
      };
    },
    // Ends the connection now (its server is about to go): commands spawn tmux until the next
    // attempt finds a server and session again.
    async drop(): Promise<void> {
      await connection?.close();
    },
    async close(): Promise<void> {
      closed = true;
      const open = connection;
      connection = null;
      if (open) emit({ type: 'stream', live: false });
      await open?.close();
    },
  };
}
