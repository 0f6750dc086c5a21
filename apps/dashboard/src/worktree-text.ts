// Plain text about a worktree's work, for the merge and kill confirmations (the API's shapes,
// as much of them as the text needs).
interface WorkingFile {
  path: string;
  status: string;
}

// A worktree's files for a person: `path (status)`, up to ten, and how many more.
export function describeFiles(files: readonly WorkingFile[]): string {
  const named = files.slice(0, 10).map((f) => `${f.path} (${f.status})`);
  return files.length > 10 ? `${named.join(', ')} and ${files.length - 10} more` : named.join(', ');
}

// What a merge did, in one line: what it took, and what it left in the worktree.
export function mergeOutcome(result: { branch: string; into: string; commit: string | null; commits: number; committed: { commit: string; files: readonly WorkingFile[] } | null; leftBehind: readonly WorkingFile[] }): string {
  const parts = [result.commit ? `merged ${result.commits} commit(s) into ${result.into}` : `nothing to merge into ${result.into}`];
  if (result.committed) parts.push(`first committed ${result.committed.files.length} file(s) on ${result.branch} as ${result.committed.commit.slice(0, 10)}`);
  if (result.leftBehind.length > 0) parts.push(`left behind, not committed: ${describeFiles(result.leftBehind)}`);
  return parts.join('; ');
}

// The kill's refusal in the page's own words (the API's names CLI commands): what the kill would
// put out of sight, from the merge preview (null when it could not be read), and what keeps it.
export function unmergedWork(
  agent: { name: string; worktree?: { path: string } | undefined },
  preview: { branch: string; into: string; commitCount: number; uncommitted: readonly WorkingFile[] } | null,
): string {
  const files = preview?.uncommitted ?? [];
  const what = [
    files.length > 0 ? `uncommitted files in ${agent.worktree?.path ?? 'its worktree'}: ${describeFiles(files)}` : '',
    preview && preview.commitCount > 0 ? `${preview.commitCount} commit(s) on ${preview.branch} not merged into ${preview.into}` : '',
  ].filter(Boolean);
  return (
    `${agent.name} has ${what.length > 0 ? what.join('; and ') : 'work in its worktree that is neither committed nor merged'}. ` +
    `To keep it, cancel and press Merge (it can commit the files first).\n\n` +
    `Kill anyway? Its branch stays; its worktree folder goes${files.length > 0 ? ', with the uncommitted files' : ''}.`
  );
}
