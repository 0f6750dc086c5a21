import { Command } from 'commander';
import { loadConfig } from '../../core/src/config/index.js';
import { runDoctor, type CheckLevel } from '../ops/doctor.js';
import { printJson, say } from '../output.js';

const MARK: Record<CheckLevel, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

export const doctorCommand = new Command('doctor')
  .description('check node, tmux, PM2, the port, CMUX_HOME, the agent registry and the agent command, and say how to fix each')
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => {
    const checks = await runDoctor(loadConfig());
    if (opts.json) printJson(checks);
    else for (const c of checks) say(`${MARK[c.level]} ${c.name}: ${c.detail}${c.fix ? `\n     fix: ${c.fix}` : ''}`);
    if (checks.some((c) => c.level === 'fail')) process.exitCode = 1;
  });
