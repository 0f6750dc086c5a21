import type { CmuxConfig } from '../config/index.js';
import { assertHomePath, ensureHomeFolder, entryError, isInside, listHomeFolder } from '../fs/index.js';
import { homePaths } from './home.js';

// Checks before cmux starts that CMUX_HOME holds nothing its apps would refuse to open once they
// run (a crash-looping app and a generic timeout instead of one clear refusal): state/ and logs/
// are real folders (made 0700 when missing), journal/, metrics/ and the worktrees' folder are
// real folders when they exist, the files at its top that cmux opens (and their lock folders)
// are regular files when they exist, and no link or special file sits anywhere in state/, logs/
// or metrics/. A journal day is checked when it is read: a bad one costs itself. What else sits
// at the top (a registry that `cmux registry repair` moved aside, a file of yours) is left be.
export function assertHomeTree(config: CmuxConfig): void {
  const { home } = config;
  const paths = homePaths(home);
  for (const folder of [paths.state, paths.logs]) ensureHomeFolder(home, folder);
  for (const folder of [paths.journal, paths.metrics, config.worktrees.dir]) if (isInside(home, folder)) assertHomePath(home, folder, 'folder');
  for (const file of [paths.token, paths.mailbox, paths.deadLetters, paths.registry, paths.projects]) {
    assertHomePath(home, file);
    for (const lock of [`${file}.lock`, `${file}.queue`]) assertHomePath(home, lock, 'folder');
  }
  // A tmux socket the person chose to keep in one of these folders is a socket, rightly.
  const socket = config.tmux.socket.kind === 'path' ? config.tmux.socket.path : null;
  const check = (dir: string): void => {
    for (const entry of listHomeFolder(home, dir)) {
      if (entry.path === socket) continue;
      if (entry.stat.isDirectory()) {
        check(entry.path);
        continue;
      }
      const error = entryError(entry, 'regular file');
      if (error) throw error;
    }
  };
  for (const folder of [paths.state, paths.logs, paths.metrics]) check(folder);
}
