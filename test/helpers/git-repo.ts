import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

// A git command in `cwd`, with a timeout; its trimmed stdout.
export async function gitIn(cwd: string, ...args: string[]): Promise<string> {
  return (await execa('git', args, { cwd, timeout: 15_000, stdin: 'ignore' })).stdout.trim();
}

// A fresh repository with one commit on `main` (README.md and src/app.ts), and an identity of
// its own so merges can commit.
export async function makeRepo(dir: string): Promise<string> {
  mkdirSync(join(dir, 'src'), { recursive: true });
  await gitIn(dir, 'init', '--quiet', '--initial-branch=main');
  await gitIn(dir, 'config', 'user.name', 'cmux test');
  await gitIn(dir, 'config', 'user.email', 'test@cmux.invalid');
  writeFileSync(join(dir, 'README.md'), '# demo\n\nfirst line\n');
  writeFileSync(join(dir, 'src', 'app.ts'), 'export const answer = 41;\n');
  await gitIn(dir, 'add', '--all');
  await gitIn(dir, 'commit', '--quiet', '-m', 'first');
  return dir;
}

// Commits everything in `cwd` with `message`.
export async function commitAll(cwd: string, message: string): Promise<string> {
  await gitIn(cwd, 'add', '--all');
  await gitIn(cwd, 'commit', '--quiet', '-m', message);
  return gitIn(cwd, 'rev-parse', 'HEAD');
}
