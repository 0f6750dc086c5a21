import { resolve } from 'node:path';
import { Command } from 'commander';
import { listProjects } from '../../projects/index.js';
import { addProject, removeProject } from '../../projects/manage.js';
import { agentContext } from '../agent-context.js';
import { printJson, say } from '../output.js';

const add = new Command('add')
  .description('add a folder as a project, with its own supervisor (started now when cmux runs)')
  .argument('<dir>', 'the project\'s root folder')
  .option('--name <name>', 'the project name (default: the folder\'s name)')
  .option('--branch <branch>', 'the default branch its workers\' worktrees start from')
  .action(async (dir: string, opts: { name?: string; branch?: string }) => {
    const { deps } = agentContext();
    const project = await addProject(deps, { root: resolve(dir), name: opts.name, branch: opts.branch });
    say(`added project ${project.name} (${project.root}); its supervisor is ${project.supervisor}`);
  });

const list = new Command('list')
  .description('list the projects')
  .option('--json', 'print JSON')
  .action((opts: { json?: boolean }) => {
    const projects = listProjects(agentContext().config);
    if (opts.json) return printJson(projects);
    for (const p of projects) say(`${p.name.padEnd(20)} ${p.supervisor.padEnd(30)} ${p.root}${p.branch ? ` [${p.branch}]` : ''}`);
  });

const remove = new Command('remove')
  .description('remove a project and its supervisor (refused while it has other agents, unless --force)')
  .argument('<name>')
  .option('--force', 'kill the project\'s agents too')
  .action(async (name: string, opts: { force?: boolean }) => {
    const { deps } = agentContext();
    const { killed } = await removeProject(deps, name, opts.force ?? false);
    say(`removed project ${name}${killed.length ? `; killed ${killed.join(', ')}` : ''}`);
  });

export const projectCommand = new Command('project')
  .description('the projects cmux works on: each a folder with its own supervisor')
  .addCommand(add.exitOverride())
  .addCommand(list.exitOverride())
  .addCommand(remove.exitOverride());
