import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { isCmuxError } from '../../core/src/errors/index.js';
import { createHomeFile } from '../../core/src/fs/index.js';
import { assertHomeTree, ensureOwnHome, homePaths } from '../../core/src/paths/index.js';
import { daemonPid, pm2Home } from '../../core/src/pm2/index.js';
import { canBind, findPortHolders, which } from '../../core/src/proc/index.js';
import { tmuxClientFromConfig, TMUX_INSTALL_HINT } from '../../core/src/tmux/index.js';
import { loadKinds, resolveAgentCommand } from '../../agents/index.js';
import { lastGoodFile, readRegistry } from '../../registry/index.js';

export type CheckLevel = 'ok' | 'warn' | 'fail';

export interface Check {
  name: string;
  level: CheckLevel;
  detail: string;
  // What to do about it, for warn and fail.
  fix?: string;
}

// The oldest Node.js cmux runs on: package.json's `engines` and the README say the same (test/unit/names.test.ts).
export const MIN_NODE = [20, 19] as const;
const MIN_TMUX = 3.0;

// Checks what cmux needs on this machine and says how to fix each thing that is off.
export async function runDoctor(config: CmuxConfig): Promise<Check[]> {
  return [checkNode(), await checkTmux(config), checkPm2(), await checkPort(config), checkHome(config), await checkRegistry(config), checkAgentCommand(config)];
}

// agents.yaml parses and fits the schema; when it does not, what reads fall back to and how to fix it.
async function checkRegistry(config: CmuxConfig): Promise<Check> {
  const file = homePaths(config.home).registry;
  const name = 'registry';
  try {
    const registry = await readRegistry(file);
    if (!registry) return { name, level: 'ok', detail: `no ${file} yet (the first spawn writes it)` };
    return { name, level: 'ok', detail: `${Object.keys(registry.agents).length} agents in ${file}` };
  } catch (error) {
    if (!isCmuxError(error, 'CMUX_ERR_REGISTRY_CORRUPT')) {
      return { name, level: 'fail', detail: `cannot read ${file}: ${(error as Error).message}`, fix: 'give it back to the user cmux runs as (owner read/write)' };
    }
    const fallback = existsSync(lastGoodFile(file)) ? `agents are listed from the last good copy ${lastGoodFile(file)}` : 'there is no last good copy to list agents from';
    return {
      name,
      level: 'fail',
      detail: `${file} is not valid: ${String(error.context.reason)}; no agent can be added or removed, ${fallback}`,
      fix: String(error.context.fix),
    };
  }
}

function checkNode(): Check {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return ok
    ? { name: 'node', level: 'ok', detail: `v${process.versions.node}` }
    : { name: 'node', level: 'fail', detail: `v${process.versions.node} is too old`, fix: `install Node.js ${MIN_NODE.join('.')} or newer` };
}

async function checkTmux(config: CmuxConfig): Promise<Check> {
  try {
    const version = await tmuxClientFromConfig(config).version();
    const number = Number.parseFloat(version.replace(/^tmux\s+(next-)?/, ''));
    if (Number.isFinite(number) && number < MIN_TMUX) {
      return { name: 'tmux', level: 'fail', detail: `${version} is too old (new-window -e needs ${MIN_TMUX})`, fix: TMUX_INSTALL_HINT };
    }
    return { name: 'tmux', level: 'ok', detail: version };
  } catch (error) {
    const detail = isCmuxError(error, 'CMUX_ERR_TMUX_MISSING') ? 'not installed or not on PATH' : String(error);
    return { name: 'tmux', level: 'fail', detail, fix: TMUX_INSTALL_HINT };
  }
}

function checkPm2(): Check {
  try {
    const { version } = createRequire(import.meta.url)('pm2/package.json') as { version: string };
    const pid = daemonPid();
    return { name: 'pm2', level: 'ok', detail: `pm2 ${version}, home ${pm2Home()}, ${pid ? `daemon pid ${pid}` : 'no daemon running'}` };
  } catch {
    return { name: 'pm2', level: 'fail', detail: 'the pm2 package is missing', fix: 'run `npm install` in the cmux folder' };
  }
}

async function checkPort(config: CmuxConfig): Promise<Check> {
  const { host, port } = config.server;
  const holders = await findPortHolders(port, config.home);
  const name = `port ${port}`;
  if (holders.length > 0 && holders.every((h) => h.ours)) return { name, level: 'ok', detail: `held by this cmux (pid ${holders.map((h) => h.pid).join(', ')})` };
  if (holders.length > 0) {
    const who = holders.filter((h) => !h.ours).map((h) => `pid ${h.pid} (${h.command})`).join(', ');
    return { name, level: 'fail', detail: `in use by ${who}`, fix: 'stop that process or set CMUX_PORT to a free port' };
  }
  if (!(await canBind(host, port))) {
    return { name, level: 'fail', detail: `cannot listen on ${host}:${port}`, fix: 'set CMUX_HOST/CMUX_PORT to an address this machine can bind' };
  }
  return { name, level: 'ok', detail: `free on ${host}` };
}

function checkHome(config: CmuxConfig): Check {
  const probe = join(config.home, `.doctor-${randomBytes(4).toString('hex')}`);
  try {
    // Also refuses another user's or a group/world-writable home (or folder above it), and a
    // link or FIFO where cmux keeps its files, saying how to fix it.
    ensureOwnHome(config.home);
    assertHomeTree(config);
    createHomeFile(config.home, probe, 'ok');
    rmSync(probe);
    return { name: 'CMUX_HOME', level: 'ok', detail: `${config.home} is yours alone and writable` };
  } catch (error) {
    return {
      name: 'CMUX_HOME',
      level: 'fail',
      detail: `${config.home} cannot be used: ${(error as Error).message}`,
      fix: 'fix its permissions or set CMUX_HOME to a folder you own',
    };
  }
}

function checkAgentCommand(config: CmuxConfig): Check {
  const name = 'agent command';
  const { command, missing } = resolveAgentCommand(config);
  const program = command.trim().split(/\s+/)[0]!.replace(/^'(.*)'$/, '$1');
  const path = program.startsWith('/') ? program : which(program);
  if (!path) {
    return { name, level: 'fail', detail: `${program} (from CMUX_AGENT_COMMAND / agents.command) is not on PATH`, fix: `install ${program} or change CMUX_AGENT_COMMAND` };
  }
  const problem = loadKinds(config).forCommand(command).adapter.cannotRun(command, config.agents.env);
  if (problem) return { name, level: 'fail', detail: `${command} (${path}) cannot run as root here`, fix: problem };
  const [first] = missing;
  if (first) {
    return { name, level: 'warn', detail: `${first.program} is not on PATH: agents will run the bundled demo agent`, fix: `${first.install} for real work` };
  }
  return { name, level: 'ok', detail: `${command} (${path})` };
}
