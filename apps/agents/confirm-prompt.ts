import { setTimeout as sleep } from 'node:timers/promises';
import { promptDigest } from '../core/src/agents/index.js';
import type { CmuxConfig } from '../core/src/config/index.js';
import { getFromServer } from '../core/src/server-client/index.js';

const CONFIRM_TIMEOUT_MS = 15_000;
const POLL_MS = 200;
// The least time between two questions while the agent's pane keeps printing.
const MIN_ASK_GAP_MS = 50;

// Only an event that took a prompt carries its digest (the kind's adapter reads it).
interface ReportedEvent {
  at: string;
  promptDigest?: string;
}

// For an agent whose program reports every prompt it accepts through a hook (Claude Code's
// UserPromptSubmit, forwarded to the server by scripts/agent-hook.mjs): whether the text
// typed at `since` was taken. null when nobody can tell — the server does not answer, or the
// text is a slash command, which fires no hook — and then the screen's word stands. The server
// is asked again when the agent's pane prints (the agent took the prompt and works), or every
// 200 ms at most.
export function hookConfirmation(config: CmuxConfig, agentName: string, timeoutMs = CONFIRM_TIMEOUT_MS) {
  return async (text: string, since: number, wake: (ms: number) => Promise<unknown> = sleep): Promise<boolean | null> => {
    if (text.startsWith('/')) return null;
    const digest = promptDigest(text);
    const deadline = Date.now() + timeoutMs;
    let answered = false;
    for (;;) {
      const events = await getFromServer<ReportedEvent[]>(config, `/api/agent-events?agent=${encodeURIComponent(agentName)}&limit=200`);
      if (events === null && !answered) return null;
      answered ||= events !== null;
      if (events?.some((e) => e.promptDigest === digest && Date.parse(e.at) >= since)) return true;
      if (Date.now() >= deadline) return false;
      await Promise.all([wake(POLL_MS), sleep(MIN_ASK_GAP_MS)]);
    }
  };
}
