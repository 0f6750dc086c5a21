import { createHash } from 'node:crypto';
import type { HistoryStore } from '../../core/src/history/index.js';
import {
  agentDiff,
  agentDialog,
  agentTerminal,
  answerAgent,
  createAgent,
  findAgent,
  interruptAgent,
  killAgent,
  mergeAgent,
  pressKeys,
  previewAgentMerge,
  queueTask,
  startAgent,
  type AgentDeps,
} from '../../agents/index.js';
import type { AgentOps } from '../../agents/ops.js';
import type { Hub } from '../ws/hub.js';
import type { HookStore } from './hook-events.js';
import type { StatusMonitor } from './status-monitor.js';

export interface LocalOpsDeps {
  agents: AgentDeps;
  monitor: StatusMonitor;
  hooks: HookStore;
  hub: Hub;
  history: () => HistoryStore;
}

const digestOf = (text: string) => createHash('sha1').update(text).digest('base64url');

// The actions on this host's own agents, as its routes and other hosts' requests do them.
export function createLocalOps({ agents, monitor, hooks, hub, history }: LocalOpsDeps): AgentOps {
  const refresh = () => void monitor.refresh().catch(() => undefined);
  return {
    async spawn({ task, wait, ...request }, createdBy) {
      const agent = await createAgent(agents, { ...request, task, createdBy });
      refresh();
      if (wait === false) {
        const queued = await queueTask(agents, agent, task);
        return { ...agent, status: 'starting', ...(queued ? { taskMessage: queued.id } : {}) };
      }
      // Answered once the agent shows its prompt: an agent that exits or asks what cmux must
      // not answer while starting fails the request. The task is then queued for the router.
      const queued = await startAgent(agents, agent, task);
      if (queued) agents.logger.info(`queued the task of ${agent.id} as message ${queued.id}`);
      const view = (await monitor.refresh()).find((a) => a.id === agent.id);
      return { ...agent, status: view?.status ?? 'starting', ...(queued ? { taskMessage: queued.id } : {}) };
    },
    async kill({ id, ...options }) {
      const killed = await killAgent(agents, id, options);
      hooks.forget(id);
      hub.broadcast('agent_removed', { id });
      refresh();
      return { id, archive: killed.archive, worktree: killed.worktree };
    },
    diff: ({ id }) => agentDiff(agents, id),
    mergePreview: ({ id, into }) => previewAgentMerge(agents, id, { into }),
    merge: ({ id, options }) => mergeAgent(agents, id, options),
    dialog: async ({ id }) => ({ dialog: await agentDialog(agents, id) }),
    async answer({ id, choice, question }) {
      const dialog = await answerAgent(agents, id, choice, question);
      refresh();
      return { id, question: dialog.question, choice };
    },
    async keys({ id, keys }) {
      await findAgent(agents, id);
      await pressKeys(agents, id, keys);
      return { id, keys: keys.length };
    },
    async interrupt({ id }) {
      await interruptAgent(agents, id);
      return { id };
    },
    async terminal({ id, lines, escapes, ifNot }) {
      if (!escapes) return agentTerminal(agents, id, lines);
      // A live screen with its colours, as the dashboard's terminal streams it.
      const { window } = await findAgent(agents, id);
      if (!window) return agentTerminal(agents, id, lines);
      const text = await agents.tmux.capturePane(window.windowId, { historyLines: lines, escapes: true });
      const digest = digestOf(text);
      return digest === ifNot ? { unchanged: true } : { text, digest };
    },
    async withdraw({ message, detail }) {
      const now = history().withdraw(message, detail);
      if (now.status === 'withdrawn') hub.broadcast('message_status', { id: now.id, from: now.from, to: now.to, status: now.status, detail: now.detail });
      return { id: now.id, status: now.status, detail: now.detail };
    },
  };
}
