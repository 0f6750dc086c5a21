import type * as z from 'zod';
import type { StoredMessage } from '../core/src/history/index.js';
import type { AgentTerminal, KilledAgent } from './actions.js';
import type { ScreenDialog } from './dialogs.js';
import type { actionArgs } from './ops.schema.js';
import type { RegisteredAgent } from '../registry/index.js';
import type { MergePreview, MergeResult, WorktreeDiff } from './worktree/index.js';

type Args<A extends keyof typeof actionArgs> = z.infer<(typeof actionArgs)[A]>;

export type SpawnAnswer = RegisteredAgent & { status: string; notice?: string; taskMessage?: string };
export type KillAnswer = { id: string; archive: KilledAgent['archive']; worktree: KilledAgent['worktree'] };
// A terminal read only when it changed since `ifNot` (its digest), else `{unchanged: true}`.
export type TerminalAnswer = (AgentTerminal & { digest?: string }) | { unchanged: true };

// What can be done to an agent, wherever it runs: this host's server does it itself, another
// host's server asks the agent's own host (apps/cluster/rpc). Every answer is plain JSON. The
// routes and the CLI ask for the ops of an id and never learn which they got.
export interface AgentOps {
  spawn(args: Args<'spawn'>, createdBy: string): Promise<SpawnAnswer>;
  kill(args: Args<'kill'>): Promise<KillAnswer>;
  diff(args: Args<'diff'>): Promise<WorktreeDiff>;
  mergePreview(args: Args<'mergePreview'>): Promise<MergePreview>;
  merge(args: Args<'merge'>): Promise<MergeResult>;
  dialog(args: Args<'dialog'>): Promise<{ dialog: ScreenDialog | null }>;
  answer(args: Args<'answer'>): Promise<{ id: string; question: string; choice: string }>;
  keys(args: Args<'keys'>): Promise<{ id: string; keys: number }>;
  interrupt(args: Args<'interrupt'>): Promise<{ id: string }>;
  terminal(args: Args<'terminal'>): Promise<TerminalAnswer>;
  // Takes back a message not typed yet (see HistoryStore.withdraw); where it stands now.
  withdraw(args: Args<'withdraw'>): Promise<Pick<StoredMessage, 'id' | 'status' | 'detail'>>;
}
