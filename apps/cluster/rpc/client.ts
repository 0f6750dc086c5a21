import type { AgentOps } from '../../agents/ops.js';
import type { AgentAction } from '../../agents/ops.schema.js';
import type { ClusterConfig } from '../../core/src/config/index.js';
import { CmuxError, ERROR_CODES, type ErrorCode } from '../../core/src/errors/index.js';
import { namesOf } from '../names.js';
import type { NatsLink } from '../nats/link.js';
import { rpcReplySchema, type RpcRequest } from '../wire.js';

// How long each action may take on the other host before the caller stops waiting.
function timeoutFor(action: AgentAction, readyTimeoutMs: number): number {
  switch (action) {
    case 'spawn':
      return readyTimeoutMs + 30_000;
    case 'merge':
      return 120_000;
    case 'kill':
      return 60_000;
    case 'diff':
    case 'mergePreview':
      return 30_000;
    case 'interrupt':
    case 'answer':
      return 15_000;
    default:
      return 10_000;
  }
}

// The actions on another host's agents, asked of that host's server over request/reply. Its
// refusals come back as the same CmuxErrors (so the API answers with the same statuses as for
// an agent of its own); a host that does not answer is CMUX_ERR_HOST_UNREACHABLE, one that
// answers too late CMUX_ERR_REMOTE_TIMEOUT (the action may still have happened there).
export function remoteOps(link: NatsLink, cluster: ClusterConfig, host: string, callerAddress: string, readyTimeoutMs: number): AgentOps {
  const names = namesOf(cluster);
  async function ask<T>(action: AgentAction, args: Record<string, unknown>, address = callerAddress): Promise<T> {
    if (!link.connected()) {
      throw new CmuxError('CMUX_ERR_CLUSTER_UNAVAILABLE', `this host is not connected to the hub (${cluster.nats.url}) right now, so host ${host} cannot be asked: see \`cmux logs cmux-server\``);
    }
    const nc = await link.ready();
    const request: RpcRequest = { v: 1, args, caller: { host: cluster.host, address } };
    const timeout = timeoutFor(action, readyTimeoutMs);
    let text: string;
    try {
      text = (await nc.request(names.rpc(host, action), JSON.stringify(request), { timeout })).string();
    } catch (error) {
      const e = error as Error & { cause?: Error };
      const what = `${e.name} ${e.message} ${e.cause?.message ?? ''}`;
      if (/no ?responders/i.test(what)) {
        throw new CmuxError('CMUX_ERR_HOST_UNREACHABLE', `host ${host} does not answer: is cmux running there? (\`cmux cluster status\` shows when each host was last heard)`, { context: { host } });
      }
      if (/timeout/i.test(what)) {
        throw new CmuxError('CMUX_ERR_REMOTE_TIMEOUT', `host ${host} did not answer ${action} within ${timeout / 1000} s; it may still have happened there: check \`cmux agents\` before repeating it`, { context: { host } });
      }
      throw new CmuxError('CMUX_ERR_CLUSTER_UNAVAILABLE', `asking host ${host} to ${action} failed: ${e.message}`, { context: { host } });
    }
    let reply;
    try {
      reply = rpcReplySchema.parse(JSON.parse(text));
    } catch {
      throw new CmuxError('CMUX_ERR_INTERNAL', `host ${host} answered ${action} with something that is not an answer`);
    }
    if (reply.ok) return reply.result as T;
    const code = reply.error.code in ERROR_CODES ? (reply.error.code as ErrorCode) : 'CMUX_ERR_INTERNAL';
    throw new CmuxError(code, `${host}: ${reply.error.message}`, { context: { host } });
  }
  return {
    spawn: (args, createdBy) => ask('spawn', args, createdBy),
    kill: (args) => ask('kill', args),
    diff: (args) => ask('diff', args),
    mergePreview: (args) => ask('mergePreview', args),
    merge: (args) => ask('merge', args),
    dialog: (args) => ask('dialog', args),
    answer: (args) => ask('answer', args),
    keys: (args) => ask('keys', args),
    interrupt: (args) => ask('interrupt', args),
    terminal: (args) => ask('terminal', args),
    withdraw: (args) => ask('withdraw', args),
  };
}
