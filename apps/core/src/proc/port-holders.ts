import { createServer } from 'node:net';
import { CmuxError } from '../errors/index.js';
import { findListeners } from './listeners.js';
import { describeProcess, readEnvironment, type ProcessInfo } from './process-info.js';

export interface PortHolder extends ProcessInfo {
  // Whether the process belongs to this cmux instance (its environment names this CMUX_HOME).
  ours: boolean;
}

// Every process listening on `port`, each marked as this cmux's own or foreign.
export async function findPortHolders(port: number, home: string): Promise<PortHolder[]> {
  const holders: PortHolder[] = [];
  for (const pid of await findListeners(port)) {
    const info = await describeProcess(pid);
    if (info) holders.push({ ...info, ours: readEnvironment(pid)?.get('CMUX_HOME') === home });
  }
  return holders;
}

// Whether something can bind host:port right now (catches holders /proc does not show us).
export async function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

// A CMUX_ERR_PORT_IN_USE error that names whoever holds the port and what to do about it.
export function portInUseError(port: number, host: string, holders: readonly PortHolder[]): CmuxError {
  const names = holders.map((h) => `pid ${h.pid} (${h.command})`);
  const who = names.length > 0 ? `held by ${names.join(', ')}` : 'held by a process cmux cannot see';
  const hint = holders.some((h) => h.ours)
    ? 'it is a leftover of this cmux: run `cmux stop` first'
    : 'stop it or set CMUX_PORT to a free port';
  return new CmuxError('CMUX_ERR_PORT_IN_USE', `port ${port} on ${host} is already in use, ${who}: ${hint}`, {
    context: { port, host, holders },
  });
}
