import { join } from 'node:path';
import { execa } from 'execa';
import { createLogger, loadConfig, type CmuxConfig, type Logger } from '../apps/core/src/index.ts';
import { createServer } from '../apps/server/server.ts';
import { dashboardCopy } from '../test/helpers/dashboard-copy.ts';
import { cleanEnv, freePort } from '../test/helpers/instance.ts';

// A configuration rooted in a copy of the dashboard (so a bench may break its build), and a
// quiet logger; the server is created but not started. `cleanup` stops the server, ends the
// tmux server it brought the team up on, and removes the copy.
export async function copyWithServer(env: NodeJS.ProcessEnv) {
  const copy = dashboardCopy();
  const quiet: Logger = createLogger('bench', { out: { write: () => true } as never, err: { write: () => true } as never });
  const config: CmuxConfig = loadConfig({
    root: copy.root,
    cwd: copy.root,
    env: { ...cleanEnv(), CMUX_HOME: join(copy.root, 'home'), CMUX_PORT: String(await freePort()), CMUX_TMUX_SOCKET: join(copy.root, 'tmux.sock'), ...env },
  });
  const server = createServer(config, quiet);
  const cleanup = async () => {
    await server.stop();
    await execa('tmux', ['-S', join(copy.root, 'tmux.sock'), 'kill-server'], { reject: false, timeout: 10_000 });
    copy.cleanup();
  };
  return { copy, quiet, config, server, cleanup };
}
