// One `list-windows -a` row. The free-text window name is the last field, so a name that
// holds the separator still parses.
export interface TmuxWindow {
  session: string;
  windowId: string;
  windowIndex: number;
  paneId: string;
  panePid: number;
  paneDead: boolean;
  paneCommand: string;
  name: string;
}

const FIELD_SEPARATOR = '\t';
const FIELDS = [
  '#{session_name}',
  '#{window_id}',
  '#{window_index}',
  '#{pane_id}',
  '#{pane_pid}',
  '#{pane_dead}',
  '#{pane_current_command}',
  '#{window_name}',
] as const;

export const WINDOW_LIST_FORMAT = FIELDS.join(FIELD_SEPARATOR);

// Parses the output of `list-windows -a -F WINDOW_LIST_FORMAT`.
export function parseWindowList(stdout: string): TmuxWindow[] {
  const windows: TmuxWindow[] = [];
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const parts = line.split(FIELD_SEPARATOR);
    if (parts.length < FIELDS.length) continue;
    const [session, windowId, index, paneId, pid, dead, command] = parts as [string, string, string, string, string, string, string];
    windows.push({
      session,
      windowId,
      windowIndex: Number(index),
      paneId,
      panePid: Number(pid),
      paneDead: dead === '1',
      paneCommand: command,
      name: parts.slice(FIELDS.length - 1).join(FIELD_SEPARATOR),
    });
  }
  return windows;
}
