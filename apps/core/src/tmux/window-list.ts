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
  // The cmux identity the window carries (its @cmux-agent option), '' when it has none.
  agentTag: string;
  // The tmux server the window lives on (`pid:start time`): ids like @3 are reused by a new server.
  server: string;
  name: string;
}

// The window option that carries a window's cmux identity.
export const AGENT_TAG_OPTION = '@cmux-agent';

const FIELD_SEPARATOR = '\t';
const FIELDS = [
  '#{session_name}',
  '#{window_id}',
  '#{window_index}',
  '#{pane_id}',
  '#{pane_pid}',
  '#{pane_dead}',
  '#{pane_current_command}',
  `#{${AGENT_TAG_OPTION}}`,
  '#{pid}:#{start_time}',
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
    const [session, windowId, index, paneId, pid, dead, command, agentTag, server] = parts as [string, string, string, string, string, string, string, string, string];
    windows.push({
      session,
      windowId,
      windowIndex: Number(index),
      paneId,
      panePid: Number(pid),
      paneDead: dead === '1',
      paneCommand: command,
      agentTag,
      server,
      name: parts.slice(FIELDS.length - 1).join(FIELD_SEPARATOR),
    });
  }
  return windows;
}
