import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { detectPaneStatus, lastLines, type AgentKind } from '../core/src/agents/index.js';
import { CmuxError } from '../core/src/errors/index.js';
import { withFileLock } from '../core/src/lock/index.js';
import { homePaths } from '../core/src/paths/index.js';
import { markStarted, readRegistryForLookup, type RegisteredAgent } from '../registry/index.js';
import type { AgentDeps } from './deps.js';
import { chooseOnScreen } from './dialogs.js';
import { withTypingLock } from './typing-lock.js';

const READY_POLL_MS = 150;
// How long the prompt must hold still before the agent counts as ready: Codex and Gemini draw
// their idle prompt first and a startup dialog a moment later (a task typed in between is lost).
const READY_SETTLE_MS = 1_000;
// Beyond the wait for the prompt: the startup dialogs' answers, each bounded on its own.
const START_LOCK_SLACK_MS = 120_000;

// Finishes the start of agent `id` if it is still starting (its registry entry says so from its
// window's opening until its prompt shows): waits for the prompt, answering its startup dialogs,
// then records it started. Whoever is first to need the agent ready does it — the spawn that
// waits, the server that brought it back, or the router with a message for it (a spawn that did
// not wait) — one at a time under the agent's start lock; the others wait for that and find it
// started. `stopping` ends the wait early (false: not started).
export async function finishStart(deps: AgentDeps, id: string, stopping: () => boolean = () => false): Promise<boolean> {
  const file = join(homePaths(deps.config.home).startLocks, encodeURIComponent(id));
  return withFileLock(
    deps.config.home,
    file,
    async () => {
      const agent = (await readRegistryForLookup(homePaths(deps.config.home).registry)).registry?.agents[id];
      if (!agent?.starting) return true;
      if (!(await waitUntilReady(deps, { id, ...agent }, deps.kinds.forCommand(agent.command), stopping))) return false;
      await markStarted(deps, id, agent.windowId);
      return true;
    },
    { timeoutMs: deps.config.agents.readyTimeoutMs + START_LOCK_SLACK_MS, noteHolder: true },
  );
}

// Ready means the idle prompt shown, unchanged, for READY_SETTLE_MS (startup dialogs on the
// way are answered on screen by their choice's text); a kind with no idle pattern (a plain
// program) is ready once its screen holds still. False when `stopping` said to give up.
async function waitUntilReady(deps: AgentDeps, agent: RegisteredAgent, kind: AgentKind, stopping: () => boolean): Promise<boolean> {
  const deadline = Date.now() + deps.config.agents.readyTimeoutMs;
  let previous: string | null = null;
  let stillSince = Date.now();
  while (Date.now() < deadline) {
    if (stopping()) return false;
    const row = (await deps.tmux.listWindows()).find((w) => w.windowId === agent.windowId);
    const pane = row ? await deps.tmux.capturePane(agent.windowId).catch(() => null) : null;
    if (!row || row.paneDead || pane === null) {
      throw new CmuxError('CMUX_ERR_AGENT_NOT_READY', `agent ${agent.id} exited while starting${pane ? `; its last lines:\n${lastLines(pane, 8)}` : ''}`, {
        context: { id: agent.id },
      });
    }
    if (pane !== previous) stillSince = Date.now();
    previous = pane;
    const dialog = kind.startup.find((d) => d.when.test(pane));
    if (dialog) {
      if (dialog.requires === 'acceptApiKey' && !deps.config.agents.acceptApiKey) {
        throw new CmuxError(
          'CMUX_ERR_AGENT_NOT_READY',
          `agent ${agent.id} asks whether to use the API key in its environment, and cmux does not answer that for you. ` +
            `Set \`agents.acceptApiKey: true\` in your CMUX_CONFIG file to let cmux answer Yes, or answer it once yourself (\`cmux attach ${agent.id}\`), ` +
            `or log its program in instead of using a key. The window is still open; \`cmux kill ${agent.id}\` removes it.`,
          { context: { id: agent.id } },
        );
      }
      deps.logger.info(`answering a startup dialog of ${agent.id}: ${dialog.choose}`);
      await withTypingLock(deps, agent.id, () => chooseOnScreen(deps.tmux, agent.windowId, (screen) => dialog.when.test(screen), dialog.choose, kind.choiceCursor ?? undefined));
    } else if (Date.now() - stillSince >= READY_SETTLE_MS && (kind.status.idle.length === 0 || detectPaneStatus(kind, pane) === 'idle')) {
      return true;
    }
    await sleep(READY_POLL_MS);
  }
  throw new CmuxError('CMUX_ERR_AGENT_NOT_READY', `agent ${agent.id} did not show its prompt within ${deps.config.agents.readyTimeoutMs} ms`, {
    context: { id: agent.id },
  });
}
