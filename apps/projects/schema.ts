import * as z from 'zod';

// The default project: the folder `cmux start` first ran in (the checkout for `npm start`).
export const DEFAULT_PROJECT = 'default';

// A project name also names its supervisor's window (`supervisor-<name>`, at most 48
// characters), so it is short and tmux-safe.
export const projectNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,36}$/, 'a project name is 1-37 letters, digits, _ or -, starting with a letter or digit');

export const projectEntrySchema = z.object({
  root: z.string(),
  branch: z.string().optional(),
  createdAt: z.string(),
});

export const projectsFileSchema = z.object({
  projects: z.record(projectNameSchema, projectEntrySchema).default({}),
});

export type ProjectEntry = z.infer<typeof projectEntrySchema>;
export type ProjectsFile = z.infer<typeof projectsFileSchema>;

// A project as cmux shows it: its entry, its name and the id of its supervisor.
export interface Project {
  name: string;
  root: string;
  branch?: string | undefined;
  supervisor: string;
  createdAt: string | null;
}
