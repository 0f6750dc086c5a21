import { createHmac, randomBytes } from 'node:crypto';
import type { CmuxConfig } from '../config/index.js';
import { isCmuxError } from '../errors/index.js';
import { createHomeFile, readHomeFile } from '../fs/index.js';
import { homePaths } from '../paths/index.js';

// The agents' secret, $CMUX_HOME/state/agent-token: what agents' hooks present to report
// events (scripts/agent-hook.mjs reads it), and the key each agent's own token is made with.
// Created the first time it is needed (0600, exclusively, so two starters agree on one); an
// agent window never needs the API token, whether it lives in a file or only in CMUX_TOKEN.
export function ensureAgentToken(config: CmuxConfig): string {
  const file = homePaths(config.home).agentToken;
  try {
    createHomeFile(config.home, file, `${randomBytes(24).toString('base64url')}\n`);
  } catch (error) {
    if (isCmuxError(error) || (error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return (readHomeFile(config.home, file) ?? '').trim();
}

// The token one agent presents as itself (CMUX_AGENT_TOKEN in its window, beside
// CMUX_AGENT_NAME): a keyed digest of its name, so the server checks it without storing one per
// agent, and a worker's token says nothing of another agent's.
export function agentIdentityToken(secret: string, name: string): string {
  return createHmac('sha256', secret).update(`cmux-agent:${name}`).digest('base64url');
}
