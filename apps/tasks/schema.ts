import * as z from 'zod';

// Where a task stands on the board, left to right.
export const TASK_STATUSES = ['open', 'assigned', 'working', 'input-required', 'done', 'failed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const taskStatusSchema = z.enum(TASK_STATUSES, { message: `status must be one of ${TASK_STATUSES.join(', ')}` });

// 1 is the most urgent; 3 when not said.
export const prioritySchema = z.number().int().min(1).max(5);
export const DEFAULT_PRIORITY = 3;

export interface Task {
  id: number;
  project: string;
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: number;
  assignee: string | null;
  parent: number | null;
  created: string;
  updated: string;
  // The message that gave the task to its assignee; its delivery makes the task `working`.
  assignment: string | null;
}

export const newTaskSchema = z.strictObject({
  project: z.string().min(1).max(64).optional(),
  title: z.string().trim().min(1, 'title is empty').max(500),
  description: z.string().max(64 * 1024).optional(),
  priority: prioritySchema.optional(),
  assignee: z.string().min(1).max(120).optional(),
  parent: z.number().int().min(1).optional(),
  status: taskStatusSchema.optional(),
});
export type NewTask = z.infer<typeof newTaskSchema>;

export const taskChangeSchema = z.strictObject({
  title: z.string().trim().min(1, 'title is empty').max(500).optional(),
  description: z.string().max(64 * 1024).optional(),
  priority: prioritySchema.optional(),
  assignee: z.string().min(1).max(120).optional(),
  status: taskStatusSchema.optional(),
});
export type TaskChange = z.infer<typeof taskChangeSchema>;
