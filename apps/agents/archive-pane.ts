import type { CmuxConfig } from '../core/src/config/index.js';
import { latestJournalFile, writeAttachment } from '../core/src/journal/index.js';
import type { TmuxClient } from '../core/src/tmux/index.js';

const ARCHIVE_HISTORY_LINES = 50_000;

// The label an agent's archived terminals are written under (the journal titles them
// "terminal of <agent>").
function paneLabel(id: string): string {
  return `${id}-pane`;
}

// Archives the agent's pane, scrollback included, as a journal attachment before its window
// goes (a kill, a stop, a relaunch): what the dashboard shows for it afterwards. Returns the file.
export async function archivePane(deps: { config: CmuxConfig; tmux: TmuxClient }, id: string, windowId: string, timeoutMs?: number): Promise<string> {
  const text = await deps.tmux.capturePane(windowId, { historyLines: ARCHIVE_HISTORY_LINES, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  return writeAttachment(deps.config.home, paneLabel(id), 'txt', text);
}

// The agent's last archived terminal, or null when none was archived.
export function latestPaneArchive(home: string, id: string): { text: string; at: string; date: string; name: string } | null {
  const file = latestJournalFile(home, paneLabel(id));
  return file && { text: file.text, at: file.at, date: file.date, name: file.name };
}
