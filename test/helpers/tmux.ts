import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { createTmuxClient, type TmuxClient, type TmuxSocket } from '../../apps/core/src/index.ts';
import { ROOT } from './instance.ts';

// A tmux client on a private -S socket in a temp dir, with cmux's tmux.conf. Never the default server.
export function privateTmux(): { tmux: TmuxClient; dir: string; socket: string; cleanup(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'cx-tmux-'));
  const socket = join(dir, 'tmux.sock');
  const tmux = createTmuxClient({ socket: { kind: 'path', path: socket }, configFile: join(ROOT, 'config', 'tmux.conf'), timeoutMs: 5_000 });
  return {
    tmux,
    dir,
    socket,
    async cleanup() {
      await tmux.killServer().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Polls `read` until `predicate` holds on its result, or fails after `timeoutMs`.
export async function eventually<T>(read: () => Promise<T>, predicate: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!predicate(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await read();
  }
  return last;
}

// Runs tmux itself on a cmux socket, for what a test or bench looks at (or does) behind the
// client's back: the client offers named operations only. Bounded like every external command.
export async function tmuxCommand(socket: TmuxSocket, args: readonly string[], timeoutMs = 5_000): Promise<string> {
  const target = socket.kind === 'name' ? ['-L', socket.name] : ['-S', socket.path];
  return (await execa('tmux', [...target, ...args], { timeout: timeoutMs, stripFinalNewline: false })).stdout;
}
