import { z } from 'zod';

// One registered agent as agents.yaml stores it (CONTRACT §4).
export const agentEntrySchema = z.object({
  name: z.string(),
  role: z.string(),
  session: z.string(),
  window: z.string(),
  windowId: z.string().regex(/^@\d+$/),
  command: z.string(),
  cwd: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
});

export const registryFileSchema = z.object({
  agents: z.record(z.string(), agentEntrySchema).default({}),
});

export type AgentEntry = z.infer<typeof agentEntrySchema>;
export type RegistryFile = z.infer<typeof registryFileSchema>;
