import { existsSync, readFileSync } from 'node:fs';
import { execa } from 'execa';

// A process as cmux reports it: its id and its command line.
export interface ProcessInfo {
  pid: number;
  command: string;
}

// Whether `pid` is a running process (a zombie waiting to be reaped counts as gone).
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const stat = readProcFile(pid, 'stat');
  if (stat === null) return existsSync('/proc') ? false : true;
  // The state field follows the parenthesised command name, which may itself hold spaces.
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

// The process's command line, or null when it is gone.
export async function describeProcess(pid: number): Promise<ProcessInfo | null> {
  const cmdline = readProcFile(pid, 'cmdline');
  if (cmdline !== null) return { pid, command: cmdline.split('\0').filter(Boolean).join(' ') };
  if (existsSync('/proc')) return null;
  const result = await execa('ps', ['-o', 'command=', '-p', String(pid)], { reject: false, timeout: 5_000 });
  return result.exitCode === 0 ? { pid, command: result.stdout.trim() } : null;
}

// The process's environment, or null when it cannot be read (gone, or another user's).
export function readEnvironment(pid: number): Map<string, string> | null {
  const environ = readProcFile(pid, 'environ');
  if (environ === null) return null;
  const env = new Map<string, string>();
  for (const entry of environ.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

function readProcFile(pid: number, file: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

// Whether the program in a pane (rooted at `panePid`) has handed its terminal to a job it
// started, as a shell does while a command runs: the foreground process group is led by a
// descendant of the program rather than the program itself. A root that is only a `sh -c`
// wrapper around the program does not count as the program. Null when /proc cannot tell.
export function runsForegroundJob(panePid: number): boolean | null {
  const root = statFields(panePid);
  if (root === null || root.tpgid <= 0) return null;
  if (root.tpgid === root.pgrp) return false;
  const chain: number[] = [];
  for (let pid = root.tpgid; pid !== panePid; ) {
    const fields = statFields(pid);
    if (fields === null || chain.length > 32) return null;
    chain.push(pid);
    pid = fields.ppid;
  }
  const wrapper = readProcFile(panePid, 'cmdline')?.split('\0')[1] === '-c';
  return chain.length > (wrapper ? 1 : 0);
}

function statFields(pid: number): { ppid: number; pgrp: number; tpgid: number } | null {
  const stat = readProcFile(pid, 'stat');
  if (stat === null) return null;
  // After the parenthesised name, which may hold spaces: state ppid pgrp session tty_nr tpgid …
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  return { ppid: fields[1]!, pgrp: fields[2]!, tpgid: fields[5]! };
}
