import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import { requestAsAgent, type AgentCredentials } from '../core/src/server-client/index.js';
import { handoff } from './handoff.js';

// Who the server speaks for, as GET /api/me says.
export interface Me {
  name: string;
  role: string;
  project: string | null;
  supervisor: string;
}

const task = z.looseObject({ id: z.number(), title: z.string(), status: z.string(), assignee: z.string().nullable() });
const message = z.looseObject({ id: z.string(), ts: z.string(), from: z.string(), to: z.string(), subject: z.string(), body: z.string().optional(), status: z.string() });
const agent = z.object({ name: z.string(), role: z.string(), status: z.string(), project: z.string().nullable(), kind: z.string().nullable() });
const address = z.string().min(1).max(200).describe('an agent\'s name, "user", or <session>:<agent>');

// A tool's answer: its structured result, and the same as JSON text for clients that read only text.
function result(structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}

// A refusal or failure as the tool's answer, in words the model can act on.
function refusal(error: unknown): CallToolResult {
  return { content: [{ type: 'text', text: error instanceof Error ? error.message : String(error) }], isError: true };
}

// cmux's verbs as MCP tools, each a call to the agent's own routes (/api/me) as `me`: the
// server decides who is speaking from the agent's token, so no tool takes a sender. A
// supervisor also gets spawn_worker, interrupt and answer; a worker's list has none of them
// (and the server refuses them to a worker anyway).
export function cmuxMcpServer(credentials: AgentCredentials, me: Me): McpServer {
  // The version of this tool set, for clients that show it.
  const server = new McpServer({ name: 'cmux', version: '1.0.0' });
  const call = <T>(method: string, path: string, body?: unknown, timeoutMs?: number) => requestAsAgent<T>(credentials, method, path, body, timeoutMs);
  const tool = <S extends z.ZodRawShape, O extends z.ZodRawShape>(name: string, description: string, input: S, output: O, run: (args: z.infer<z.ZodObject<S>>) => Promise<Record<string, unknown>>) =>
    server.registerTool(name, { description, inputSchema: input, outputSchema: output }, (async (args: z.infer<z.ZodObject<S>>) => {
      try {
        return result(await run(args));
      } catch (error) {
        return refusal(error);
      }
    }) as never);

  tool(
    'send_message',
    `Send a message, as ${me.name}, to another agent or the user; cmux types it into the agent's window in turn. Any text goes through exactly: quotes, $, backticks, tabs, many lines.`,
    { to: address, text: z.string().min(1).describe('the message, any length') },
    { id: z.string(), to: z.string() },
    ({ to, text }) => call('POST', '/api/me/messages', { to, text }),
  );
  tool(
    'report',
    `Report to your supervisor (${me.supervisor}): done (your task is finished, with a summary), blocked (you cannot go on, and why) or progress. done and blocked move your task on the board.`,
    { kind: z.enum(['done', 'blocked', 'progress']), text: z.string().min(1), task: z.number().int().min(1).optional().describe('the task id, when not the one you work on') },
    { id: z.string(), to: z.string(), task: task.nullable() },
    (args) => call('POST', '/api/me/report', args),
  );
  tool(
    'read_messages',
    'The latest messages to and from you, oldest first; since: only those at or after that time (ISO 8601).',
    { limit: z.number().int().min(1).max(200).default(20), since: z.string().optional() },
    { messages: z.array(message) },
    async ({ limit, since }) => ({ messages: await call('GET', `/api/me/messages?${new URLSearchParams({ limit: String(limit), ...(since ? { since } : {}) })}`) }),
  );
  tool(
    'list_agents',
    'The agents of the team with their role and status (busy, idle, waiting…); project: only that project\'s.',
    { project: z.string().min(1).max(64).optional() },
    { agents: z.array(agent) },
    async ({ project }) => ({ agents: await call('GET', `/api/me/agents${project ? `?project=${encodeURIComponent(project)}` : ''}`) }),
  );
  tool(
    'task_list',
    'The task board, by project and status.',
    { project: z.string().min(1).max(64).optional(), status: z.enum(['open', 'assigned', 'working', 'input-required', 'done', 'failed']).optional() },
    { tasks: z.array(task) },
    async (filter) => ({ tasks: await call('GET', `/api/me/tasks?${new URLSearchParams(filter as Record<string, string>)}`) }),
  );
  tool(
    'task_add',
    'Add a task to the board; with an assignee it is sent to that agent at once.',
    { title: z.string().min(1).max(500), description: z.string().optional(), assignee: z.string().min(1).max(120).optional(), priority: z.number().int().min(1).max(5).optional(), project: z.string().min(1).max(64).optional() },
    { task },
    async (input) => ({ task: await call('POST', '/api/me/tasks', input) }),
  );
  tool(
    'task_update',
    'Change a task: its status, assignee (who then gets it), title, description or priority.',
    {
      id: z.number().int().min(1),
      status: z.enum(['open', 'assigned', 'working', 'input-required', 'done', 'failed']).optional(),
      assignee: z.string().min(1).max(120).optional(),
      title: z.string().min(1).max(500).optional(),
      description: z.string().optional(),
      priority: z.number().int().min(1).max(5).optional(),
    },
    { task },
    async ({ id, ...change }) => ({ task: await call('PATCH', `/api/me/tasks/${id}`, change) }),
  );
  tool(
    'handoff',
    'Give another agent a task (on the board, sent to it) and wait for its answer: its done or blocked report, or its reply. Returns what it said, or outcome "timeout" after wait_seconds (its answer then comes as a message).',
    { to: z.string().min(1).max(120), task: z.string().min(1), wait_seconds: z.number().int().min(1).max(3_600).default(600) },
    { outcome: z.enum(['done', 'blocked', 'reply', 'timeout']), task: z.number(), from: z.string(), text: z.string().nullable() },
    (args) => handoff(call, args),
  );
  if (me.role !== 'supervisor') return server;

  tool(
    'spawn_worker',
    'Start a worker agent with a task, in your project; answers once it is ready and its task is queued. worktree: its own git worktree and branch. kind: which program (claude-code, codex, gemini… as configured; list_agents shows the kinds in use); by default the configured one.',
    {
      name: z.string().min(1).max(48),
      task: z.string().min(1),
      worktree: z.boolean().optional(),
      kind: z.string().min(1).max(40).optional().describe('the kind of agent program to run, e.g. codex'),
      command: z.string().min(1).max(4096).optional().describe('the exact command line to run instead; by default the configured one'),
    },
    { id: z.string(), name: z.string(), cwd: z.string(), taskMessage: z.string().nullable() },
    (args) => call('POST', '/api/me/spawn', args, 600_000),
  );
  tool('interrupt', 'Stop what an agent is doing now (its interrupt key).', { agent: z.string().min(1).max(120) }, { agent: z.string() }, (args) => call('POST', '/api/me/interrupt', args, 60_000));
  tool(
    'answer',
    'Answer the dialog an agent waits on (a permission or a choice), picking the choice by its text; question: the question you answer, refused if the screen asks something else.',
    { agent: z.string().min(1).max(120), choice: z.string().min(1).max(200), question: z.string().max(2_000).optional() },
    { agent: z.string(), question: z.string(), choice: z.string() },
    (args) => call('POST', '/api/me/answer', args, 60_000),
  );
  return server;
}
