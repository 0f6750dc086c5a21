import { promptDigest, type AgentKind } from '../../../core/src/agents/index.js';
import { which } from '../../../core/src/proc/index.js';
import type { HookFacts, KindAdapter } from '../adapter.js';
import { hookWindowEnv } from '../hooks.js';
import { mcpServerCommand } from '../mcp.js';

// Claude Code (`claude`): cmux's default program, launched with cmux's hook settings; its
// hooks report its status, its session id and each turn's answer.
export const claudeCode: KindAdapter = {
  name: 'claude-code',
  defaultCommand: (_root, env) => (which('claude', env) ? 'claude --dangerously-skip-permissions' : null),
  missing: { program: 'claude', install: 'install Claude Code (`npm install -g @anthropic-ai/claude-code`)' },
  // cmux's hook settings, and cmux's MCP server for this session only (--mcp-config adds it to
  // the user's own servers; nothing is written to their ~/.claude.json). Claude Code hands a
  // server its own environment, the window's CMUX_AGENT_NAME and CMUX_AGENT_TOKEN with it.
  launchArgs: (rules: AgentKind, root) => [
    ...(rules.settingsFile ? ['--settings', rules.settingsFile] : []),
    '--mcp-config',
    JSON.stringify({ mcpServers: { cmux: { type: 'stdio', ...mcpServerCommand(root) } } }),
  ],
  // The script the hook settings run; the node that runs cmux runs it too, whatever the agent's
  // PATH holds.
  windowEnv: hookWindowEnv,
  // As root, Claude Code refuses --dangerously-skip-permissions unless IS_SANDBOX=1, and its
  // window would close at once.
  cannotRun(command, env, uid = process.getuid?.()) {
    if (uid !== 0 || !/--dangerously-skip-permissions\b/.test(command)) return null;
    if ((env.IS_SANDBOX ?? process.env.IS_SANDBOX) === '1') return null;
    return (
      'cmux runs as root, and Claude Code refuses --dangerously-skip-permissions as root unless IS_SANDBOX=1. ' +
      "In a container, set `agents.env: {IS_SANDBOX: '1'}` in your CMUX_CONFIG file (or pass `--env IS_SANDBOX=1` to spawn); " +
      'otherwise run cmux as a non-root user.'
    );
  },
  hookEvent: (event, payload) => ({
    status: hookStatus(event, payload),
    sessionId: event === 'SessionStart' && typeof payload.session_id === 'string' ? payload.session_id : undefined,
    reply: event === 'Stop' && typeof payload.last_assistant_message === 'string' ? payload.last_assistant_message : undefined,
    promptDigest: event === 'UserPromptSubmit' && typeof payload.prompt === 'string' ? promptDigest(payload.prompt) : undefined,
    tool: typeof payload.tool_name === 'string' ? payload.tool_name.slice(0, 100) : undefined,
  }),
};

// What a Claude Code hook event says about the agent's status, or null when it says nothing.
function hookStatus(event: string, payload: Readonly<Record<string, unknown>>): HookFacts['status'] {
  switch (event) {
    case 'UserPromptSubmit':
    case 'PreToolUse':
    case 'PostToolUse':
    case 'SubagentStart':
      return 'busy';
    case 'Stop':
    case 'StopFailure':
    case 'SessionStart':
      return 'idle';
    case 'Notification': {
      // The same hook fires for a permission request and for the 60 s idle reminder.
      const message = String(payload.message ?? '');
      if (/permission|approve|allow/i.test(message)) return 'waiting';
      if (/waiting for your input/i.test(message)) return 'idle';
      return null;
    }
    default:
      return null;
  }
}
