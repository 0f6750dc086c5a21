import { join } from 'node:path';

// Where each kind of runtime state lives under CMUX_HOME: every file and folder cmux keeps
// there is named here and only here (docs/REFERENCE.md lists them; test/unit/reference.test.ts
// checks the two agree). A folder holds one file per agent, day or app.
export interface HomePaths {
  home: string;
  logs: string;
  state: string;
  journal: string;
  metrics: string;
  token: string;
  mailbox: string;
  deadLetters: string;
  registry: string;
  projects: string;
  // The daily budgets `cmux budget set` wrote (over config's budgets.daily).
  budgets: string;
  registryLastGood: string;
  agentToken: string;
  sessions: string;
  history: string;
  routerState: string;
  // A cluster member's forwarder: how far the mailbox has gone to the hub.
  forwarderState: string;
  // The other hosts as cmux-server last saw them, for the CLI.
  clusterView: string;
  deadLettersReported: string;
  logWatcherState: string;
  frontendState: string;
  healRequest: string;
  alerts: string;
  alertsAcked: string;
  killed: string;
  usageLedger: string;
  // The budget alerts raised today, so each is raised once.
  budgetAlerts: string;
  // Why messages to an agent wait (limits, budgets): apps/core/src/holds.
  holds: string;
  typingLocks: string;
  startLocks: string;
}

// Lays out the file names under one CMUX_HOME.
export function homePaths(home: string): HomePaths {
  const state = join(home, 'state');
  return {
    home,
    logs: join(home, 'logs'),
    state,
    journal: join(home, 'journal'),
    metrics: join(home, 'metrics'),
    token: join(home, 'token'),
    mailbox: join(home, 'mailbox.jsonl'),
    deadLetters: join(home, 'mailbox.dead.jsonl'),
    registry: join(home, 'agents.yaml'),
    projects: join(home, 'projects.yaml'),
    budgets: join(home, 'budgets.json'),
    registryLastGood: join(state, 'agents.last-good.yaml'),
    agentToken: join(state, 'agent-token'),
    sessions: join(state, 'sessions.json'),
    history: join(state, 'messages.sqlite'),
    routerState: join(state, 'router.json'),
    forwarderState: join(state, 'forwarder.json'),
    clusterView: join(state, 'cluster-view.json'),
    deadLettersReported: join(state, 'dead-letters.json'),
    logWatcherState: join(state, 'log-watcher.json'),
    frontendState: join(state, 'frontend.json'),
    healRequest: join(state, 'heal-request'),
    alerts: join(state, 'alerts.jsonl'),
    alertsAcked: join(state, 'alerts-acked.jsonl'),
    killed: join(state, 'killed.jsonl'),
    usageLedger: join(state, 'usage.json'),
    budgetAlerts: join(state, 'budget-alerts.json'),
    holds: join(state, 'holds.json'),
    typingLocks: join(state, 'typing'),
    startLocks: join(state, 'starting'),
  };
}
