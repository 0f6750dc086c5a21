import { CmuxError } from '../errors/index.js';

// CONTRACT §3: an agent name is also a tmux window name and a file name, so it is plain.
export const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;

// Throws CMUX_ERR_AGENT_BAD_NAME (400) unless `name` is a valid agent name.
export function assertAgentName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !AGENT_NAME.test(name)) {
    const shown = typeof name === 'string' ? JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name) : String(name);
    throw new CmuxError(
      'CMUX_ERR_AGENT_BAD_NAME',
      `invalid agent name ${shown}: use 1-48 letters, digits, _ or -, starting with a letter or digit`,
      { context: { name: typeof name === 'string' ? name.slice(0, 100) : null } },
    );
  }
}

// An agent's id: its name in the main session, `session:name` in any other.
export function agentId(session: string, name: string, mainSession: string): string {
  return session === mainSession ? name : `${session}:${name}`;
}
