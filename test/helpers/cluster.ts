import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shellQuote } from '../../apps/core/src/index.ts';
import { createInstance, ROOT, type TestInstance } from './instance.ts';
import { startTestHub, type TestHub } from './nats.ts';

export interface ClusterHost extends TestInstance {
  host: string;
  // A demo agent command that records what it is told in `<base>/<agent>.jsonl`.
  demo(agent: string): string;
  // What a demo agent of this host was told, in order (each submitted text).
  received(agent: string): string[];
}

export interface TestCluster {
  hub: TestHub;
  hosts: Record<string, ClusterHost>;
  cleanup(): Promise<void>;
}

// Several cmux hosts on this machine joined through one test hub (a real nats-server with the
// hub's permissions): each its own CMUX_HOME, PM2_HOME, tmux socket, port and host name, its
// supervisor a demo agent. Started in parallel.
// `spare` hosts have a user on the hub and an instance, but no cluster section and are not
// started: they join (or fail to) in the test.
export async function createCluster(names: readonly string[], opts: { spare?: readonly string[] } = {}): Promise<TestCluster> {
  const spare = new Set(opts.spare ?? []);
  const hub = await startTestHub([...names, ...spare]);
  const hosts: Record<string, ClusterHost> = {};
  try {
    await Promise.all(
      [...names, ...spare].map(async (host) => {
        const instance = await createInstance({ userConfig: '' });
        const demo = (agent: string) =>
          `CMUX_DEMO_RECORD=${shellQuote(join(instance.base, `${agent}.jsonl`))} ${shellQuote(process.execPath)} ${shellQuote(join(ROOT, 'dist/apps/demo-agent/index.js'))}`;
        const config = `${spare.has(host) ? '' : hub.memberConfig(host)}agents:\n  command: ${JSON.stringify(demo('supervisor'))}\n`;
        const file = instance.env.CMUX_CONFIG!;
        const previous = readFileSync(file, 'utf8');
        writeFileSync(file, `${config}\n${previous}`);
        hosts[host] = {
          ...instance,
          host,
          demo,
          received: (agent) => {
            const record = join(instance.base, `${agent}.jsonl`);
            return existsSync(record) ? readFileSync(record, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text) : [];
          },
        };
      }),
    );
    await Promise.all(
      names.map(async (name) => {
        const started = await hosts[name]!.cli(['start'], { timeoutMs: 180_000 });
        if (started.exitCode !== 0) throw new Error(`cmux start on ${name} failed:\n${String(started.stderr)}\n${String(started.stdout)}`);
      }),
    );
  } catch (error) {
    await Promise.all(Object.values(hosts).map((h) => h.cleanup()));
    await hub.cleanup();
    throw error;
  }
  return {
    hub,
    hosts,
    async cleanup() {
      await Promise.all(Object.values(hosts).map((h) => h.cleanup()));
      await hub.cleanup();
    },
  };
}
