import type { AgentKind, HookReport } from '../../core/src/agents/index.js';

// What one of the program's own hook events tells cmux.
export interface HookFacts {
  // The agent's status it reports, or null when it says nothing about it.
  status: HookReport['status'] | null;
  // The program's own session id, for resuming it after a stop.
  sessionId?: string | undefined;
  // The text of the turn's last answer, stored as a message from the agent.
  reply?: string | undefined;
  // The fingerprint (promptDigest) of a prompt the program took: the router's proof of delivery.
  promptDigest?: string | undefined;
  // The tool the event is about, for the activity feed.
  tool?: string | undefined;
}

// Why an agent program is not there to be the default, and how to get it.
export interface MissingProgram {
  program: string;
  install: string;
}

// The code of one kind of agent program: everything about it that is not screen rules (those
// are its kind.yaml beside it). Every part is optional; a kind without code (or a kind from
// the user's `agentKinds:`) gets the defaults in `completeAdapter`.
export interface KindAdapter {
  // The kind's folder under apps/agents/kinds/, holding its kind.yaml.
  name: string;
  // The command agents run when `agents.command` is not set, when this kind's program is
  // installed (null when it is not); kinds are asked in their order, the first one wins.
  defaultCommand?(root: string, env: NodeJS.ProcessEnv): string | null;
  // What `cmux start` and `cmux doctor` say when `defaultCommand` found nothing.
  missing?: MissingProgram;
  // Words added after the command at launch (e.g. the program's settings, cmux's MCP server
  // from cmux's folder `root`), besides `resume`.
  launchArgs?(rules: AgentKind, root: string): string[];
  // Variables a window of this kind needs besides cmux's own (e.g. where its hook script is).
  windowEnv?(root: string): Record<string, string>;
  // Why `command` cannot run here with `env` (as `uid`, this process's by default), or null;
  // `cmux spawn` and `cmux doctor` say it instead of starting a window that dies at once.
  cannotRun?(command: string, env: Readonly<Record<string, string>>, uid?: number): string | null;
  // What one of the program's hook events (posted to /api/agent-events) says.
  hookEvent?(event: string, payload: Readonly<Record<string, unknown>>): HookFacts;
}

export type CompleteAdapter = Required<Omit<KindAdapter, 'missing'>> & Pick<KindAdapter, 'missing'>;

// The adapter with every part a kind did not give filled in with "nothing special".
export function completeAdapter(adapter: KindAdapter): CompleteAdapter {
  return {
    defaultCommand: () => null,
    launchArgs: () => [],
    windowEnv: () => ({}),
    cannotRun: () => null,
    hookEvent: () => ({ status: null }),
    ...adapter,
  };
}
