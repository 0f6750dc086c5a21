import type { AgentStatus } from '../../core/src/agents/index.js';
import type { NotifyEvent } from '../../core/src/config/index.js';

// Why an agent needs the person, and since when; shown until the agent moves on.
export interface Attention {
  event: NotifyEvent;
  since: string;
}

// What a status change tells the person: a dialog waits for an answer, a turn it was given is
// done (busy, then idle), or its program ended on its own (its pane stays, dead). A window that
// disappears (`missing`) is not counted: `cmux kill` closes the window a moment before it
// unregisters the agent, and a poll in between must not call that an exit.
export function attentionEvent(previous: AgentStatus, next: AgentStatus): NotifyEvent | null {
  if (previous === next) return null;
  if (next === 'waiting') return 'waiting';
  if (previous === 'busy' && next === 'idle') return 'done';
  if (next === 'exited') return 'exited';
  return null;
}

// The attention an agent carries after a change: a new event replaces it; working again (or an
// answered dialog) clears it; anything else leaves it as it was.
export function nextAttention(current: Attention | null, previous: AgentStatus, next: AgentStatus, now: string): Attention | null {
  if (previous === next) return current;
  const event = attentionEvent(previous, next);
  if (event) return { event, since: now };
  if (next === 'busy' || next === 'starting' || current?.event === 'waiting') return null;
  return current;
}
