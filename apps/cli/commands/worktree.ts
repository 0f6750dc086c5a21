import { Command } from 'commander';
import { agentDiff, describeFiles, mergeAgent, previewAgentMerge, type MergePreview } from '../../agents/index.js';
import { agentContext } from '../agent-context.js';
import { printJson, say, warn, write } from '../output.js';
import { serverOpsFor } from '../remote-ops.js';

export const diffCommand = new Command('diff')
  .description('show what a worker changed in its worktree since its base: commits, edits and new files')
  .argument('<agent>')
  .option('--stat', 'only the changed files with their added and deleted lines')
  .option('--json', 'print JSON: {repo, branch, base, files, patch}')
  .action(async (id: string, opts: { stat?: boolean; json?: boolean }) => {
    const { config, deps } = agentContext();
    const remote = serverOpsFor(config, id);
    const diff = remote ? await remote.ops.diff({ id }) : await agentDiff(deps, id);
    if (opts.json) return printJson(opts.stat ? { ...diff, patch: undefined } : diff);
    if (!opts.stat) {
      write(diff.patch + (diff.truncated ? '\n[cut: the patch is longer; --stat lists every file]\n' : ''));
      return;
    }
    say(`${diff.branch} since ${diff.base.slice(0, 12)} (${diff.path})`);
    if (diff.files.length === 0) return say('no changes');
    for (const f of diff.files) {
      const counts = f.additions === null ? 'binary' : `+${f.additions} -${f.deletions}`;
      say(`${f.status.padEnd(12)} ${counts.padEnd(12)} ${f.from ? `${f.from} → ` : ''}${f.path}`);
    }
  });

function printPreview(id: string, preview: MergePreview, commitUncommitted: boolean): void {
  say(preview.commitCount === 0 ? `no commit to merge: ${preview.into} has every commit of ${preview.branch}` : `would merge ${preview.commitCount} commit(s) of ${preview.branch} into ${preview.into}:`);
  for (const c of preview.commits) say(`  ${c.commit.slice(0, 12)} ${c.subject}`);
  if (preview.commits.length < preview.commitCount) say(`  … and ${preview.commitCount - preview.commits.length} more`);
  if (preview.uncommitted.length === 0) return say('no uncommitted files in the worktree');
  say(commitUncommitted ? `would first commit these uncommitted files on ${preview.branch}:` : `uncommitted files, left behind (not merged; --commit-uncommitted commits them on ${preview.branch} first):`);
  for (const f of preview.uncommitted) say(`  ${f.status.padEnd(12)} ${f.path}`);
  if (!commitUncommitted) say(`(\`cmux merge ${id} --commit-uncommitted\` takes them too)`);
}

export const mergeCommand = new Command('merge')
  .description('merge a worker\'s branch (its commits; uncommitted files only with --commit-uncommitted); a conflict stops it with nothing merged and names the files')
  .argument('<agent>')
  .option('--into <branch>', 'the branch to merge into (default: the branch checked out in the repository)')
  .option('--squash', 'one commit instead of a merge commit')
  .option('--commit-uncommitted', 'first commit the worktree\'s uncommitted and new files on the worker\'s branch, so the merge takes them')
  .option('-m, --message <text>', 'the message of that commit (default: "Uncommitted work of agent <agent>, committed by cmux merge")')
  .option('--dry-run', 'change nothing: list the commits it would merge and the uncommitted files it would leave behind (or commit)')
  .option('--json', 'print JSON')
  .action(async (id: string, opts: { into?: string; squash?: boolean; commitUncommitted?: boolean; message?: string; dryRun?: boolean; json?: boolean }) => {
    const { config, deps } = agentContext();
    const remote = serverOpsFor(config, id);
    if (opts.dryRun) {
      const preview = remote ? await remote.ops.mergePreview({ id, into: opts.into }) : await previewAgentMerge(deps, id, { into: opts.into });
      return opts.json ? printJson(preview) : printPreview(id, preview, opts.commitUncommitted ?? false);
    }
    const options = { into: opts.into, squash: opts.squash, commitUncommitted: opts.commitUncommitted, message: opts.message };
    const result = remote ? await remote.ops.merge({ id, options }) : await mergeAgent(deps, id, options);
    if (opts.json) return printJson(result);
    if (result.committed) say(`committed ${result.committed.files.length} uncommitted file(s) on ${result.branch} as ${result.committed.commit.slice(0, 12)}: ${describeFiles(result.committed.files)}`);
    if (result.commit === null) say(`nothing to merge: ${result.into} has every commit of ${result.branch}`);
    else say(`${result.squash ? 'squash-merged' : 'merged'} ${result.commits} commit(s) of ${result.branch} into ${result.into} (${result.commit.slice(0, 12)})`);
    if (result.leftBehind.length > 0) {
      warn(`cmux: warning: ${result.leftBehind.length} uncommitted file(s) in ${id}'s worktree were left behind, not merged: ${describeFiles(result.leftBehind)}; commit them in the worktree, or \`cmux merge ${id} --commit-uncommitted\``);
    }
  });
