import { FitAddon } from '@xterm/addon-fit';
import { Terminal as XTerm } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { api } from '../api';
import { paneKeys, type PaneKey } from '../terminal-keys';

// Monospace faces first; then faces that have the symbols agents print which monospace faces
// lack (`⏺` is in Symbola, Debian's fonts-symbola, not in DejaVu).
const TERMINAL_FONTS = '"DejaVu Sans Mono", "Cascadia Mono", Menlo, Consolas, "Liberation Mono", monospace, Symbola, "Noto Sans Symbols 2", "Segoe UI Symbol", "Apple Symbols"';

// A second Escape within this long leaves interactive mode; a lone one goes to the pane after it.
const DOUBLE_ESCAPE_MS = 500;

// The agent's pane as the server last captured it (with its colours) in an xterm with
// scrollback: view-only (Tab passes by it), or, after "Type into terminal", interactive: keys go
// to the pane through the server's key route, in order, until Esc twice or "Leave". Without an
// agent (an archived screen) it is view-only.
// A line to show rather than the end: the first, counted from the bottom, that holds `text`
// (any case) at least `up` lines above the last one — where a search found it.
export interface TerminalFind {
  text: string;
  up: number;
}

export function Terminal({ text, agentId, agentName, find }: { text: string; agentId?: string; agentName?: string; find?: TerminalFind | null }) {
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<XTerm | null>(null);
  const enter = useRef<HTMLButtonElement>(null);
  const [interactive, setInteractive] = useState(false);
  const [error, setError] = useState('');
  const [found, setFound] = useState('');
  const mode = useRef(false);
  const was = useRef(false);
  mode.current = interactive;
  const send = useKeySender(agentId ?? '', setError);

  useEffect(() => {
    const xterm = new XTerm({ convertEol: true, disableStdin: true, scrollback: 5000, fontSize: 13, fontFamily: TERMINAL_FONTS, theme: { background: '#0d1117' } });
    const fit = new FitAddon();
    xterm.loadAddon(fit);
    xterm.open(host.current!);
    fit.fit();
    term.current = xterm;
    let lastEscape = 0;
    let pendingEscape: number | undefined;
    const escapeNow = () => {
      window.clearTimeout(pendingEscape);
      pendingEscape = undefined;
      send([{ key: 'Escape' }]);
    };
    // Returning false leaves the key to the browser: in view mode every key (so Tab moves on).
    xterm.attachCustomKeyEventHandler((event) => {
      if (!mode.current) return false;
      if (event.key !== 'Escape') {
        // A held-back Escape goes first: the keys arrive in the order they were pressed.
        if (event.type === 'keydown' && pendingEscape !== undefined) escapeNow();
        return true;
      }
      if (event.type === 'keydown') {
        const now = Date.now();
        window.clearTimeout(pendingEscape);
        pendingEscape = undefined;
        if (now - lastEscape < DOUBLE_ESCAPE_MS) {
          lastEscape = 0;
          setInteractive(false);
        } else {
          lastEscape = now;
          pendingEscape = window.setTimeout(escapeNow, DOUBLE_ESCAPE_MS);
        }
      }
      return false;
    });
    const typed = xterm.onData((data) => mode.current && send(paneKeys(data)));
    const onResize = () => fit.fit();
    window.addEventListener('resize', onResize);
    return () => {
      window.clearTimeout(pendingEscape);
      typed.dispose();
      window.removeEventListener('resize', onResize);
      xterm.dispose();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    const xterm = term.current;
    if (!xterm) return;
    xterm.reset();
    xterm.write(text.replace(/\n+$/, ''), () => {
      const at = find ? findLine(xterm, find) : null;
      if (!at) {
        xterm.scrollToBottom();
        setFound('');
        return;
      }
      // A few lines of what came before it above it, and the match selected.
      xterm.scrollToLine(Math.max(0, at.row - 3));
      xterm.select(at.column, at.row, find!.text.length);
      setFound(at.line);
    });
  }, [text, find?.text, find?.up]);
  useEffect(() => {
    const xterm = term.current;
    if (!xterm) return;
    xterm.options.disableStdin = !interactive;
    // View-only, the terminal is not a stop on the Tab path at all.
    xterm.textarea?.setAttribute('tabindex', interactive ? '0' : '-1');
    if (interactive) xterm.focus();
    // Left: the focus goes back to the button that enters, not to the top of the page.
    else if (was.current) enter.current?.focus();
    was.current = interactive;
  }, [interactive]);

  return (
    <div className={interactive ? 'terminal-frame interactive' : 'terminal-frame'}>
      {agentId && (
        <div className="terminal-bar">
          {interactive ? (
            <>
              <span className="terminal-mode" role="status">
                Typing into {agentName}: keys go to its terminal. Esc twice or Leave to stop.
              </span>
              <button onClick={() => setInteractive(false)}>Leave terminal</button>
            </>
          ) : (
            <button ref={enter} onClick={() => setInteractive(true)}>
              Type into terminal
            </button>
          )}
          {error && (
            <span className="error" role="alert">
              {error}
            </span>
          )}
        </div>
      )}
      <div className="terminal" ref={host} data-testid="terminal" data-interactive={interactive} data-text={text.replace(/\x1b\[[0-9;]*m/g, '')} data-found={found || undefined} />
    </div>
  );
}

// Sends keys to the agent in the order they were pressed: one request at a time, the keys
// pressed meanwhile batched into the next.
function useKeySender(agentId: string, onError: (message: string) => void) {
  const queue = useRef<PaneKey[]>([]);
  const busy = useRef(false);
  const flush = async () => {
    if (busy.current) return;
    busy.current = true;
    try {
      while (queue.current.length > 0) {
        const batch = queue.current.splice(0, 256);
        await api.keys(agentId, batch).then(
          () => onError(''),
          (err: Error) => onError(`keys not sent: ${err.message}`),
        );
      }
    } finally {
      busy.current = false;
    }
  };
  return (keys: PaneKey[]) => {
    if (keys.length === 0) return;
    queue.current.push(...keys);
    void flush();
  };
}

// Where `find` is in the terminal's buffer: its row, column and whole line, or null.
function findLine(xterm: XTerm, find: TerminalFind): { row: number; column: number; line: string } | null {
  const buffer = xterm.buffer.active;
  const needle = find.text.toLowerCase();
  let last = buffer.length - 1;
  while (last > 0 && !buffer.getLine(last)?.translateToString(true)) last -= 1;
  for (let row = Math.min(last, last - find.up); row >= 0; row -= 1) {
    const line = buffer.getLine(row)?.translateToString(true) ?? '';
    const column = line.toLowerCase().indexOf(needle);
    if (column >= 0) return { row, column, line };
  }
  return null;
}
