import type { AgentStatus } from '../../core/src/agents/index.js';
import type { NotifyEvent } from '../../core/src/config/index.js';
import type { InterruptSigns } from '../../agents/index.js';

// Why an agent needs the person, and since when; shown until the agent moves on.
export interface Attention {
  event: NotifyEvent;
  since: string;
}

// What a status change tells the person: a dialog waits for an answer, a turn it was given is
// done (busy, then idle, unless the turn was `interrupted`: stopped, not finished), or its
// program ended on its own (its pane stays, dead). A window that disappears (`missing`) is not
// counted: `cmux kill` closes the window a moment before it unregisters the agent, and a poll in
// between must not call that an exit.
export function attentionEvent(previous: AgentStatus, next: AgentStatus, interrupted = false): NotifyEvent | null {
  if (previous === next) return null;
  if (next === 'waiting') return 'waiting';
  if (previous === 'busy' && next === 'idle') return interrupted ? null : 'done';
  if (next === 'exited') return 'exited';
  return null;
}

// Whether the turn that just ended was stopped by an interrupt: one cmux pressed (the API, the
// CLI, Escape or Ctrl-C in the dashboard's terminal) since the agent was last seen not busy,
// or the kind's interrupted line on screen (an Escape pressed in `cmux attach`).
export function turnInterrupted(signs: InterruptSigns | undefined, seenMark: string | undefined): boolean {
  return signs !== undefined && ((signs.mark !== '' && signs.mark !== seenMark) || signs.onScreen);
}

// The attention an agent carries after a change: a new event replaces it; working again (or an
// answered dialog) clears it; anything else leaves it as it was.
export function nextAttention(current: Attention | null, previous: AgentStatus, next: AgentStatus, now: string, interrupted = false): Attention | null {
  if (previous === next) return current;
  const event = attentionEvent(previous, next, interrupted);
  if (event) return { event, since: now };
  if (next === 'busy' || next === 'starting' || current?.event === 'waiting') return null;
  return current;
}
