import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgentDeps, type AgentDeps } from '../../apps/agents/index.ts';
import { createLogger, loadConfig } from '../../apps/core/src/index.ts';
import { cleanEnv } from './instance.ts';

// Agent operations against a private tmux socket and CMUX_HOME, without PM2 or a server.
// `userConfig`: YAML for a CMUX_CONFIG file.
export function agentHarness(env: NodeJS.ProcessEnv = {}, opts: { userConfig?: string } = {}): { deps: AgentDeps; base: string; home: string; cleanup(): Promise<void> } {
  const base = mkdtempSync(join(tmpdir(), 'cx-ag-'));
  const home = join(base, 'home');
  const configFile = join(base, 'cmux.yaml');
  if (opts.userConfig) writeFileSync(configFile, opts.userConfig);
  const config = loadConfig({
    env: { ...cleanEnv(), CMUX_HOME: home, CMUX_TMUX_SOCKET: join(base, 'tmux.sock'), ...(opts.userConfig ? { CMUX_CONFIG: configFile } : {}), ...env },
    cwd: base,
  });
  const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
  const deps = createAgentDeps(config, createLogger('test', { out: quiet, err: quiet }));
  return {
    deps,
    base,
    home,
    async cleanup() {
      await deps.tmux.killServer().catch(() => undefined);
      rmSync(base, { recursive: true, force: true });
    },
  };
}
