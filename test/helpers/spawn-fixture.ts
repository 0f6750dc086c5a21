import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach } from 'node:test';
import { ROOT } from './instance.ts';

// Starts a fixture script and resolves once it prints `readyLine`; rejects after 10 s.
export async function spawnFixture(
  name: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; readyLine: string; detached?: boolean },
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(ROOT, 'test', 'fixtures', name), ...args], {
    env: opts.env ?? process.env,
    detached: opts.detached ?? false,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not print ${opts.readyLine}`)), 10_000);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(opts.readyLine)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited early with ${code}`));
    });
  });
  child.stdout!.resume();
  return child;
}

// Kills a fixture for good and waits for it to be reaped.
export async function killFixture(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

// The fixtures a test suite started, killed after each test.
export function trackFixtures(): ChildProcess[] {
  const children: ChildProcess[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map(killFixture));
  });
  return children;
}
