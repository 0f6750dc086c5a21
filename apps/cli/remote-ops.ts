import type { AgentOps } from '../agents/ops.js';
import { splitHost } from '../agents/find.js';
import type { CmuxConfig } from '../core/src/config/index.js';
import { CmuxError, isCmuxError } from '../core/src/errors/index.js';
import { requestServer } from '../core/src/server-client/index.js';

const ACTION_TIMEOUT_MS = 70_000;
const MERGE_TIMEOUT_MS = 150_000;

// The actions on another host's agents from the CLI: through this host's cmux-server (the
// NATS credentials live in the daemons alone, never in a CLI run or an agent's window), which
// asks the agent's host. Null for an agent of this host: the CLI acts on it itself.
export function serverOpsFor(config: CmuxConfig, id: string): { ops: AgentOps; id: string; host: string } | null {
  const { host } = splitHost(config, id);
  return host ? { ops: serverOps(config), id, host } : null;
}

// AgentOps over this host's API; the ids keep their host (the server routes them), and a
// spawn goes to `spawnOn`.
export function serverOps(config: CmuxConfig, spawnOn?: string): AgentOps {
  const call = async <T>(method: string, path: string, body?: unknown, timeoutMs = ACTION_TIMEOUT_MS): Promise<T> => {
    try {
      return await requestServer<T>(config, method, path, timeoutMs, body);
    } catch (error) {
      if (isCmuxError(error, 'CMUX_ERR_NOT_RUNNING')) {
        throw new CmuxError('CMUX_ERR_NOT_RUNNING', `an action on another host's agent goes through this host's cmux-server, which does not answer: \`cmux start\` (${error.message})`);
      }
      throw error;
    }
  };
  const agent = (id: string, rest = '') => `/api/agents/${encodeURIComponent(id)}${rest}`;
  const query = (values: Record<string, string | number | boolean | undefined>) => {
    const q = new URLSearchParams(Object.entries(values).flatMap(([k, v]): Array<[string, string]> => (v === undefined ? [] : [[k, String(v)]]))).toString();
    return q ? `?${q}` : '';
  };
  return {
    spawn: (args, createdBy) => call('POST', '/api/agents', { ...args, from: createdBy, ...(spawnOn ? { host: spawnOn } : {}) }, config.agents.readyTimeoutMs + ACTION_TIMEOUT_MS),
    kill: ({ id, force, keep }) => call('DELETE', agent(id, query({ force, keep }))),
    diff: ({ id }) => call('GET', agent(id, '/diff')),
    mergePreview: ({ id, into }) => call('GET', agent(id, `/merge-preview${query({ into })}`)),
    merge: ({ id, options }) => call('POST', agent(id, '/merge'), options, MERGE_TIMEOUT_MS),
    dialog: ({ id }) => call('GET', agent(id, '/dialog')),
    answer: ({ id, ...body }) => call('POST', agent(id, '/answer'), body),
    keys: ({ id, keys }) => call('POST', agent(id, '/keys'), { keys }),
    interrupt: ({ id }) => call('POST', agent(id, '/interrupt')),
    terminal: ({ id, lines }) => call('GET', agent(id, `/terminal${query({ lines })}`)),
    withdraw: ({ message, detail }) => call('POST', `/api/messages/${encodeURIComponent(message.id)}/withdraw`, { detail }),
  };
}
