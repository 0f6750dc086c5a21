import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { loadConfig } from '../../core/src/config/index.js';
import { APP_NAMES } from '../../core/src/ecosystem/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import { buildDashboard, describeFrontend, healRequestFile, readFrontendState } from '../../core/src/frontend/index.js';
import { replaceHomeFile } from '../../core/src/fs/index.js';
import { listAppStatus } from '../../core/src/pm2/index.js';
import { say } from '../output.js';

const WAIT_MS = 10 * 60_000;

export const healCommand = new Command('heal')
  .description('rebuild the dashboard now (the running healer does it, or this command when cmux is stopped)')
  .action(async () => {
    const config = loadConfig();
    const healer = (await listAppStatus(config.home)).find((a) => a.name === APP_NAMES.healer);
    if (healer?.status !== 'online') {
      say('the healer is not running; building the dashboard here…');
      const result = await buildDashboard(config.root, config.frontend.dist, { reinstall: true });
      if (!result.ok) throw new CmuxError('CMUX_ERR_START_FAILED', `the dashboard did not build:\n${result.output.trim().split('\n').slice(-15).join('\n')}`);
      return say(`built the dashboard in ${result.durationMs} ms`);
    }
    const before = readFrontendState(config.home)?.lastHeal ?? null;
    const asked = new Date().toISOString();
    replaceHomeFile(config.home, healRequestFile(config.home), asked);
    say('asked the healer to rebuild the dashboard…');
    const deadline = Date.now() + WAIT_MS;
    while (Date.now() < deadline) {
      await sleep(250);
      const state = readFrontendState(config.home);
      if (!state?.lastCheck || state.lastCheck < asked) continue;
      if (state.lastHeal !== before) return say(`healed at ${state.lastHeal}; the dashboard is ${describeFrontend(state)}`);
      if (state.problem) throw new CmuxError('CMUX_ERR_START_FAILED', `the rebuild did not help: ${state.problem} (see \`cmux logs cmux-frontend-healer\`)`);
    }
    throw new CmuxError('CMUX_ERR_NOT_RUNNING', 'the healer did not answer within 10 minutes: see `cmux logs cmux-frontend-healer`');
  });
