import type { HookReport } from '../../core/src/agents/index.js';
import type { HookFacts } from '../../agents/index.js';

export interface AgentEvent {
  agent: string;
  event: string;
  at: string;
  tool?: string;
  // The fingerprint of a prompt the agent took (Claude Code's UserPromptSubmit): the router
  // checks it.
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
    // `facts`: what the agent kind's adapter read in the event.
    record(agent: string, event: string, { status, tool, promptDigest }: HookFacts): void {
      if (status) reports.set(agent, { status, at: Date.now() });
      events.push({ agent, event, at: new Date().toISOString(), ...(tool ? { tool } : {}), ...(promptDigest ? { promptDigest } : {}) });
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
