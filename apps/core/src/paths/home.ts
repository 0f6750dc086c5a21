import { join } from 'node:path';

// Where each kind of runtime state lives under CMUX_HOME (CONTRACT §4).
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
}

// Lays out the CONTRACT §4 file names under one CMUX_HOME.
export function homePaths(home: string): HomePaths {
  return {
    home,
    logs: join(home, 'logs'),
    state: join(home, 'state'),
    journal: join(home, 'journal'),
    metrics: join(home, 'metrics'),
    token: join(home, 'token'),
    mailbox: join(home, 'mailbox.jsonl'),
    deadLetters: join(home, 'mailbox.dead.jsonl'),
    registry: join(home, 'agents.yaml'),
    projects: join(home, 'projects.yaml'),
  };
}
