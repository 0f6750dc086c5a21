import { FitAddon } from '@xterm/addon-fit';
import { Terminal as XTerm } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef } from 'react';

// Monospace faces first; then faces that have the symbols agents print which monospace faces
// lack (`⏺` is in Symbola, Debian's fonts-symbola, not in DejaVu).
const TERMINAL_FONTS = '"DejaVu Sans Mono", "Cascadia Mono", Menlo, Consolas, "Liberation Mono", monospace, Symbola, "Noto Sans Symbols 2", "Segoe UI Symbol", "Apple Symbols"';

// The agent's pane as the server last captured it (with its colours), in a read-only xterm
// with scrollback. The whole capture is redrawn when it changes.
export function Terminal({ text }: { text: string }) {
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<XTerm | null>(null);
  useEffect(() => {
    const xterm = new XTerm({ convertEol: true, disableStdin: true, scrollback: 5000, fontSize: 13, fontFamily: TERMINAL_FONTS, theme: { background: '#0d1117' } });
    const fit = new FitAddon();
    // Read-only: Tab moves on to the next control instead of being kept by the terminal.
    xterm.attachCustomKeyEventHandler((event) => event.key !== 'Tab');
    xterm.loadAddon(fit);
    xterm.open(host.current!);
    fit.fit();
    term.current = xterm;
    const onResize = () => fit.fit();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      xterm.dispose();
    };
  }, []);
  useEffect(() => {
    const xterm = term.current;
    if (!xterm) return;
    xterm.reset();
    xterm.write(text.replace(/\n+$/, ''));
    xterm.scrollToBottom();
  }, [text]);
  return <div className="terminal" ref={host} data-testid="terminal" data-text={text.replace(/\x1b\[[0-9;]*m/g, '')} />;
}
