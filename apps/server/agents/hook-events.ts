import { promptDigest, type HookReport } from '../../core/src/index.js';

// What a Claude Code hook event says about the agent's status, or null when it says nothing.
export function hookStatus(event: string, payload: Record<string, unknown>): HookReport['status'] | null {
  switch (event) {
    case 'UserPromptSubmit':
    case 'PreToolUse':
    case 'PostToolUse':
    case 'SubagentStart':
      return 'busy';
    case 'Stop':
    case 'StopFailure':
    case 'SessionStart':
      return 'idle';
    case 'Notification': {
      // The same hook fires for a permission request and for the 60 s idle reminder.
      const message = String(payload.message ?? '');
      if (/permission|approve|allow/i.test(message)) return 'waiting';
      if (/waiting for your input/i.test(message)) return 'idle';
      return null;
    }
    default:
      return null;
  }
}

export interface AgentEvent {
  agent: string;
  event: string;
  at: string;
  tool?: string;
  // UserPromptSubmit: the fingerprint of the prompt the agent took (the router checks it).
  promptDigest?: string;
}

// Enough that a prompt's report outlives the router's wait for it with many busy agents.
const EVENTS_KEPT = 2_000;

// The latest hook status of each agent, and a short history of its events (the activity feed).
export function createHookStore() {
  const reports = new Map<string, HookReport>();
  const events: AgentEvent[] = [];
  return {
    reports: reports as ReadonlyMap<string, HookReport>,
    record(agent: string, event: string, payload: Record<string, unknown>): void {
      const status = hookStatus(event, payload);
      if (status) reports.set(agent, { status, at: Date.now() });
      const tool = typeof payload.tool_name === 'string' ? payload.tool_name.slice(0, 100) : undefined;
      const prompt = event === 'UserPromptSubmit' && typeof payload.prompt === 'string' ? promptDigest(payload.prompt) : undefined;
      events.push({ agent, event, at: new Date().toISOString(), ...(tool ? { tool } : {}), ...(prompt ? { promptDigest: prompt } : {}) });
      if (events.length > EVENTS_KEPT) events.splice(0, events.length - EVENTS_KEPT);
    },
    recent(agent?: string, limit = 50): AgentEvent[] {
      return events.filter((e) => !agent || e.agent === agent).slice(-limit).reverse();
    },
    forget(agent: string): void {
      reports.delete(agent);
    },
  };
}

export type HookStore = ReturnType<typeof createHookStore>;
