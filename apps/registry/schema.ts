import * as z from 'zod';

// A worker's own git worktree: the repository it was added to, its branch, the commit it
// started from and its folder.
export const worktreeEntrySchema = z.object({
  repo: z.string(),
  branch: z.string(),
  base: z.string(),
  path: z.string(),
});

// One registered agent as agents.yaml stores it (CONTRACT §4).
export const agentEntrySchema = z.object({
  name: z.string(),
  role: z.string(),
  session: z.string(),
  window: z.string(),
  windowId: z.string().regex(/^@\d+$/),
  // The tmux server the window was made on (`pid:start time`); with the window's own
  // @cmux-agent tag it decides whether a window with this id is still this agent's.
  server: z.string().optional(),
  command: z.string(),
  cwd: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  // The program kind (claude-code, demo, generic…) and what was given to this agent alone.
  kind: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  // Claude Code's session id, from its SessionStart hook (what resuming it needs).
  sessionId: z.string().optional(),
  worktree: worktreeEntrySchema.optional(),
  // The project the agent works for (apps/projects); none: the default project.
  project: z.string().optional(),
  // `stopped`: cmux was stopped while the agent ran; the next start brings it back.
  state: z.enum(['running', 'stopped']).optional(),
  // Set from the moment its window opens until cmux has seen its prompt (its startup dialogs
  // answered): nothing is typed into it before (apps/agents/start.ts).
  starting: z.literal(true).optional(),
});

export const registryFileSchema = z.object({
  agents: z.record(z.string(), agentEntrySchema).default({}),
});

export type AgentEntry = z.infer<typeof agentEntrySchema>;
export type WorktreeEntry = z.infer<typeof worktreeEntrySchema>;
export type RegistryFile = z.infer<typeof registryFileSchema>;
