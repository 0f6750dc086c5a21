import { existsSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { execa } from 'execa';

const TCP_LISTEN = '0A';

// Process ids holding a listening TCP socket on `port`, from /proc (Linux has no guaranteed
// lsof); lsof where there is no /proc (macOS). Clients connected to the port are not listed.
export async function findListeners(port: number): Promise<number[]> {
  if (!existsSync('/proc/net/tcp')) return findListenersWithLsof(port);
  const inodes = await listeningInodes(port);
  if (inodes.size === 0) return [];
  return pidsHoldingSockets(inodes);
}

async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      if (cols.length < 10 || cols[3] !== TCP_LISTEN) continue;
      const localPort = Number.parseInt(cols[1]!.split(':').pop() ?? '', 16);
      if (localPort === port && cols[9] !== '0') inodes.add(cols[9]!);
    }
  }
  return inodes;
}

async function pidsHoldingSockets(inodes: Set<string>): Promise<number[]> {
  const wanted = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fds = await readdir(`/proc/${entry}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${entry}/fd/${fd}`).catch(() => '');
      if (wanted.has(target)) {
        pids.push(Number(entry));
        break;
      }
    }
  }
  return pids.sort((a, b) => a - b);
}

async function findListenersWithLsof(port: number): Promise<number[]> {
  const result = await execa('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t'], { reject: false, timeout: 5_000 });
  return [...new Set(result.stdout.split('\n').filter((s) => /^\d+$/.test(s)).map(Number))].sort((a, b) => a - b);
}
