import { join } from 'node:path';
import { createLogger, loadConfig, type CmuxConfig, type Logger } from '../apps/core/src/index.ts';
import { createServer } from '../apps/server/server.ts';
import { dashboardCopy } from '../test/helpers/dashboard-copy.ts';
import { cleanEnv, freePort } from '../test/helpers/instance.ts';

// A configuration rooted in a copy of the dashboard (so a bench may break its build), and a
// quiet logger; the server is created but not started.
export async function copyWithServer(env: NodeJS.ProcessEnv) {
  const copy = dashboardCopy();
  const quiet: Logger = createLogger('bench', { out: { write: () => true } as never, err: { write: () => true } as never });
  const config: CmuxConfig = loadConfig({
    root: copy.root,
    cwd: copy.root,
    env: { ...cleanEnv(), CMUX_HOME: join(copy.root, 'home'), CMUX_PORT: String(await freePort()), CMUX_TMUX_SOCKET: join(copy.root, 'tmux.sock'), ...env },
  });
  return { copy, quiet, config, server: createServer(config, quiet) };
}
