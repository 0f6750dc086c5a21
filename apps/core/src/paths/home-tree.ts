import type { CmuxConfig } from '../config/index.js';
import { assertHomePath, ensureHomeFolder, entryError, isInside, listHomeFolder } from '../fs/index.js';
import { homePaths } from './home.js';

// Checks before cmux starts that CMUX_HOME holds nothing its apps would refuse to open once they
// run (a crash-looping app and a generic timeout instead of one clear refusal): state/ and logs/
// are real folders (made 0700 when missing), journal/, metrics/ and the worktrees' folder are
// real folders when they exist, and no link or special file sits at CMUX_HOME's top or anywhere
// in state/, logs/ or metrics/. A journal day is checked when it is read: a bad one costs itself.
export function assertHomeTree(config: CmuxConfig): void {
  const { home } = config;
  const paths = homePaths(home);
  for (const folder of [paths.state, paths.logs]) ensureHomeFolder(home, folder);
  for (const folder of [paths.journal, paths.metrics, config.worktrees.dir]) if (isInside(home, folder)) assertHomePath(home, folder, 'folder');
  // A tmux socket the person chose to keep in CMUX_HOME is a socket, rightly.
  const socket = config.tmux.socket.kind === 'path' ? config.tmux.socket.path : null;
  const check = (dir: string, descend: boolean): void => {
    for (const entry of listHomeFolder(home, dir)) {
      if (entry.path === socket) continue;
      if (entry.stat.isDirectory()) {
        if (descend) check(entry.path, true);
        continue;
      }
      const error = entryError(entry, 'regular file');
      if (error) throw error;
    }
  };
  check(home, false);
  for (const folder of [paths.state, paths.logs, paths.metrics]) check(folder, true);
}
