import type { CmuxConfig } from '../core/src/config/index.js';
import { appendMessage, summarise, type MailboxMessage } from '../core/src/mailbox/index.js';
import { supervisorForAgent } from '../projects/agents.js';
import { reportOnTask, taskToReport } from './board.js';
import type { Task } from './schema.js';
import type { TaskStore } from './store.js';

export type ReportKind = 'done' | 'blocked' | 'status';

export interface Report {
  message: MailboxMessage;
  // The task a done or blocked report moved, or null when the agent works on none.
  task: Task | null;
}

// An agent's report to its project's supervisor (`cmux mail done|blocked|status`, the MCP
// tool `report`). `done` and `blocked` move a task on the board: the one named, which must be
// the agent's own, else the one it works on. Everything is checked before the message is queued.
// A task another agent handed over (a worker's handoff to a worker) is reported to that agent,
// which waits for the answer; the supervisor sees it move on the board.
export async function reportToSupervisor(config: CmuxConfig, store: TaskStore, from: string, kind: ReportKind, body: string, taskId?: number): Promise<Report> {
  const task = kind === 'status' ? null : taskToReport({ store }, from, taskId);
  const giver = task ? store.assignerOf(task.id) : null;
  const to = giver && giver !== 'user' && giver !== from ? giver : await supervisorForAgent(config, from);
  const message = await appendMessage(config.home, { from, to, subject: `${kind}: ${summarise(body)}`, body });
  return { message, task: task && kind !== 'status' ? reportOnTask({ store }, task, kind) : null };
}
