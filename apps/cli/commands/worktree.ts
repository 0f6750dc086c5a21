import { Command } from 'commander';
import { agentDiff, mergeAgent } from '../../agents/index.js';
import { agentContext } from '../agent-context.js';
import { printJson, say } from '../output.js';

export const diffCommand = new Command('diff')
  .description('show what a worker changed in its worktree since its base: commits, edits and new files')
  .argument('<agent>')
  .option('--stat', 'only the changed files with their added and deleted lines')
  .option('--json', 'print JSON: {repo, branch, base, files, patch}')
  .action(async (id: string, opts: { stat?: boolean; json?: boolean }) => {
    const { deps } = agentContext();
    const diff = await agentDiff(deps, id);
    if (opts.json) return printJson(opts.stat ? { ...diff, patch: undefined } : diff);
    if (!opts.stat) {
      process.stdout.write(diff.patch + (diff.truncated ? '\n[cut: the patch is longer; --stat lists every file]\n' : ''));
      return;
    }
    say(`${diff.branch} since ${diff.base.slice(0, 12)} (${diff.path})`);
    if (diff.files.length === 0) return say('no changes');
    for (const f of diff.files) {
      const counts = f.additions === null ? 'binary' : `+${f.additions} -${f.deletions}`;
      say(`${f.status.padEnd(12)} ${counts.padEnd(12)} ${f.from ? `${f.from} → ` : ''}${f.path}`);
    }
  });

export const mergeCommand = new Command('merge')
  .description('merge a worker\'s branch; a conflict stops it with nothing merged and names the files')
  .argument('<agent>')
  .option('--into <branch>', 'the branch to merge into (default: the branch checked out in the repository)')
  .option('--squash', 'one commit instead of a merge commit')
  .option('--json', 'print JSON')
  .action(async (id: string, opts: { into?: string; squash?: boolean; json?: boolean }) => {
    const { deps } = agentContext();
    const result = await mergeAgent(deps, id, { into: opts.into, squash: opts.squash });
    if (opts.json) return printJson(result);
    if (result.commit === null) say(`nothing to merge: ${result.into} has every commit of ${result.branch}`);
    else say(`${result.squash ? 'squash-merged' : 'merged'} ${result.commits} commit(s) of ${result.branch} into ${result.into} (${result.commit.slice(0, 12)})`);
    if (result.uncommitted) say(`note: ${id} has uncommitted changes in its worktree; they were not merged (\`cmux diff ${id}\` shows them)`);
  });
