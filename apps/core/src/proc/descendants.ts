import { execa } from 'execa';

// Every process below `roots` in the process tree (the roots not included), from one `ps`
// listing: a program an agent window runs may start children of its own (Gemini CLI relaunches
// itself) that outlive the window.
export async function descendantsOf(roots: readonly number[]): Promise<number[]> {
  if (roots.length === 0) return [];
  const result = await execa('ps', ['-A', '-o', 'pid=,ppid='], { reject: false, timeout: 5_000 });
  if (result.exitCode !== 0) return [];
  const children = new Map<number, number[]>();
  for (const line of result.stdout.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number) as [number, number];
    if (!Number.isInteger(pid) || !Number.isInteger(ppid)) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const queue = [...roots];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      if (found.includes(child) || roots.includes(child)) continue;
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}
