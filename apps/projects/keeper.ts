import { relaunchAgent, type AgentDeps } from '../agents/index.js';
import { listAgentWindows } from '../registry/index.js';
import { listProjects } from './resolve.js';
import { DEFAULT_PROJECT } from './schema.js';

const CHECK_MS = 5_000;
// A supervisor that keeps dying is brought back less and less often, up to once a minute.
const MAX_PAUSE_MS = 60_000;

// Keeps the projects' supervisors running (the team keeper keeps the default project's): one
// whose window died is brought back, resumed where its kind can be. One that is not
// registered (killed, or its project being removed) is left alone.
export function createProjectKeeper(deps: AgentDeps) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const pauses = new Map<string, { next: number; pause: number }>();

  async function check(): Promise<void> {
    if (!(await deps.tmux.hasSession(deps.config.tmux.session))) return;
    const { agents } = await listAgentWindows(deps);
    for (const project of listProjects(deps.config)) {
      const entry = agents.find((a) => a.agent.id === project.supervisor);
      if (project.name === DEFAULT_PROJECT || !entry || entry.agent.state === 'stopped') continue;
      if (entry.window && !entry.window.paneDead) {
        // Alive for a minute past its last revival: the next death is brought back at once.
        if (Date.now() > (pauses.get(entry.agent.id)?.next ?? 0) + MAX_PAUSE_MS) pauses.delete(entry.agent.id);
        continue;
      }
      const backoff = pauses.get(entry.agent.id) ?? { next: 0, pause: CHECK_MS };
      if (Date.now() < backoff.next) continue;
      pauses.set(entry.agent.id, { next: Date.now() + backoff.pause, pause: Math.min(backoff.pause * 2, MAX_PAUSE_MS) });
      deps.logger.warn(`the supervisor of ${project.name} is not running; bringing it back`);
      await relaunchAgent(deps, entry).catch((error: unknown) => deps.logger.error(`could not bring ${entry.agent.id} back: ${(error as Error).message}`));
    }
  }

  const tick = () => {
    running = check()
      .catch((error: unknown) => deps.logger.error(`keeping the projects' supervisors up failed: ${(error as Error).message}`))
      .finally(() => {
        running = undefined;
        if (timer) timer = setTimeout(tick, CHECK_MS);
      });
  };

  return {
    start(): void {
      timer = setTimeout(tick, CHECK_MS);
    },
    async stop(): Promise<void> {
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
