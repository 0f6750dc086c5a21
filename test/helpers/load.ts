import { join } from 'node:path';
import { execa } from 'execa';
import { openHistory, type StoredMessage } from '../../apps/core/src/index.ts';
import { ROOT } from './instance.ts';

// Runs one append-load process per sender, all at once; resolves when all have finished.
export async function appendLoad(home: string, senders: readonly string[], to: string, count: number): Promise<void> {
  const script = join(ROOT, 'test', 'fixtures', 'append-load.ts');
  const runs = await Promise.all(
    senders.map((from) => execa(process.execPath, ['--import', 'tsx', script, home, from, to, String(count)], { cwd: ROOT, reject: false, timeout: 300_000 })),
  );
  for (const run of runs) if (run.exitCode !== 0) throw new Error(`append-load failed: ${run.timedOut ? "it took more than 300 s" : String(run.stderr)}`);
}

// Every stored message, oldest first.
export function storedMessages(home: string): StoredMessage[] {
  const history = openHistory(home);
  try {
    return history.page({ limit: 1_000_000 }).reverse();
  } finally {
    history.close();
  }
}
