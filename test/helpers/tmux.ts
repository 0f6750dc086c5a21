import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import assert from 'node:assert/strict';
import { createTmuxClient, isCmuxError, type TmuxClient, type TmuxSocket } from '../../apps/core/src/index.ts';
import { ROOT } from './instance.ts';

// A tmux client on a private -S socket in a temp dir, with cmux's tmux.conf. Never the default
// server. `controlSession`: the client keeps a control-mode connection attached to that session.
export function privateTmux(opts: { controlSession?: string; timeoutMs?: number } = {}): { tmux: TmuxClient; dir: string; socket: string; cleanup(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'cx-tmux-'));
  const socket = join(dir, 'tmux.sock');
  const tmux = createTmuxClient({ socket: { kind: 'path', path: socket }, configFile: join(ROOT, 'config', 'tmux.conf'), timeoutMs: opts.timeoutMs ?? 5_000, ...(opts.controlSession ? { controlSession: opts.controlSession } : {}) });
  return {
    tmux,
    dir,
    socket,
    async cleanup() {
      await tmux.close();
      await tmux.killServer().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The pids of the control-mode tmux clients (`tmux … -C`) on `socket`.
export function controlClients(socket: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        return argv[0] === 'tmux' && argv.includes(socket) && argv.includes('-C');
      } catch {
        return false;
      }
    })
    .map(Number);
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

// The CmuxError `promise` rejects with, which must carry `code`.
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isCmuxError(error), `expected a CmuxError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}
