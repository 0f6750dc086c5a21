import { Command } from 'commander';
import { repairRegistry } from '../../registry/index.js';
import { agentContext } from '../agent-context.js';
import { printJson, say } from '../output.js';

const repairCommand = new Command('repair')
  .description('rebuild an invalid agents.yaml from its last good copy and the live windows (the bad file is kept beside it)')
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => {
    const { deps } = agentContext();
    const report = await repairRegistry(deps);
    if (opts.json) return printJson(report);
    if (report.valid) return say(`${report.file} is valid: nothing to repair`);
    if (report.movedAside) say(`moved the invalid registry to ${report.movedAside}`);
    say(report.lastGood ? `rebuilt from the last good copy ${report.lastGood} and the live windows` : 'no last good copy: rebuilt from the live windows (and the valid entries of the old file)');
    for (const r of report.restored) say(`restored ${r.id.padEnd(24)} ${(r.windowId ?? 'no window').padEnd(10)} from ${r.from}`);
    for (const d of report.dropped) say(`dropped  ${d.id.padEnd(24)} ${d.reason}`);
    say(`${report.file} now holds ${report.restored.length} agent${report.restored.length === 1 ? '' : 's'}`);
  });

export const registryCommand = new Command('registry').description('look after the agent registry (agents.yaml)').addCommand(repairCommand.exitOverride());
