import { Command } from 'commander';
import { loadConfig } from '../../core/src/config/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import { assertSafeName, tmuxClientFromConfig } from '../../core/src/tmux/index.js';

export const attachCommand = new Command('attach')
  .description('attach your terminal to the cmux tmux session, or to one agent\'s window')
  .argument('[agent]', 'the agent whose window to show')
  .action(async (agent: string | undefined) => {
    const config = loadConfig();
    if (agent !== undefined) assertSafeName(agent, 'agent');
    if (!process.stdin.isTTY) {
      throw new CmuxError('CMUX_ERR_USAGE', 'attach needs an interactive terminal: run it from a terminal, not a pipe');
    }
    const tmux = tmuxClientFromConfig(config);
    if (!(await tmux.hasSession(config.tmux.session))) {
      throw new CmuxError('CMUX_ERR_NOT_RUNNING', `no tmux session ${config.tmux.session}: run \`cmux start\` first`);
    }
    const target = agent ? `=${config.tmux.session}:${agent}` : `=${config.tmux.session}`;
    process.exitCode = await tmux.attach(target);
  });
