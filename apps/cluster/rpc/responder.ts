import type { Msg, Subscription } from '@nats-io/transport-node';
import type { AgentOps } from '../../agents/ops.js';
import { actionArgs, type AgentAction } from '../../agents/ops.schema.js';
import type { ClusterConfig } from '../../core/src/config/index.js';
import { isCmuxError } from '../../core/src/errors/index.js';
import type { Logger } from '../../core/src/log/index.js';
import { qualify } from '../../core/src/mailbox/index.js';
import { namesOf } from '../names.js';
import type { NatsLink } from '../nats/link.js';
import { rpcRequestSchema, type RpcReply } from '../wire.js';

// Serves the other hosts' requests for this host's agents (cmux.<cluster>.rpc.<host>.<action>):
// each checked like an API request, then done by the same functions this host's routes call,
// and logged with who asked. The hub lets no other host hear these requests.
export function serveRequests(link: NatsLink, cluster: ClusterConfig, ops: AgentOps, logger: Logger) {
  const names = namesOf(cluster);
  let subscription: Subscription | undefined;
  let stopping = false;

  async function answer(msg: Msg): Promise<RpcReply> {
    const action = msg.subject.split('.').pop() as AgentAction;
    if (!Object.hasOwn(actionArgs, action)) return { ok: false, error: { code: 'CMUX_ERR_BAD_REQUEST', message: `no action ${JSON.stringify(action).slice(0, 60)}` } };
    let value: unknown;
    try {
      value = JSON.parse(msg.string());
    } catch {
      return { ok: false, error: { code: 'CMUX_ERR_BAD_REQUEST', message: 'the request is not JSON' } };
    }
    const request = rpcRequestSchema.safeParse(value);
    const args = request.success ? actionArgs[action].safeParse(request.data.args) : null;
    if (!request.success || !args?.success) {
      const issue = (request.success ? args!.error! : request.error).issues[0]!;
      return { ok: false, error: { code: 'CMUX_ERR_BAD_REQUEST', message: `${issue.path.join('.') || 'request'}: ${issue.message}` } };
    }
    const { caller } = request.data;
    const target = (args.data as { id?: string; name?: string }).id ?? (args.data as { name?: string }).name ?? '';
    logger.info(`${action} ${target} (asked by ${caller.address}@${caller.host})`);
    try {
      const result = await (ops[action] as (a: unknown, createdBy: string) => Promise<unknown>)(args.data, qualify(caller.address, caller.host));
      return { ok: true, result };
    } catch (error) {
      if (isCmuxError(error)) return { ok: false, error: { code: error.code, message: error.message } };
      logger.error(`${action} ${target} for ${caller.host} failed: ${(error as Error).message}`, { error });
      return { ok: false, error: { code: 'CMUX_ERR_INTERNAL', message: 'internal error; see the cmux-server log on that host' } };
    }
  }

  return {
    async start(): Promise<void> {
      const nc = await link.whenUp(() => stopping);
      if (!nc) return;
      subscription = nc.subscribe(names.rpcTo(cluster.host), {
        callback: (error, msg) => {
          if (error) return logger.error(`cluster: serving requests: ${error.message}`);
          void answer(msg).then((reply) => msg.respond(JSON.stringify(reply)));
        },
      });
    },
    stop(): void {
      stopping = true;
      subscription?.unsubscribe();
    },
  };
}
