import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import type { FastifyInstance } from 'fastify';
import { findAgent } from '../../apps/agents/index.ts';
import { agentHarness } from '../helpers/agents.ts';
import { makeRepo } from '../helpers/git-repo.ts';
import { CLI, cleanEnv, ROOT } from '../helpers/instance.ts';
import { inProcessApp } from '../helpers/server-app.ts';
import { eventually, tmuxCommand } from '../helpers/tmux.ts';

const TOKEN = 'hostile-folders-token-0123456789';

// Folder names tmux would read as formats (`#(…)` runs a command, `#S` is the session name, `#{…}`
// a value, `##` one `#`, `#[` a style) or as the end of a command (a final `;`): as `--cwd`, as
// a project's root (the API and the CLI) and as the folder that holds the worktrees, the agent
// works in exactly that folder, and nothing runs.
describe('hostile folder names reach tmux as they are', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cx-hf-'));
  const canary = join(dir, 'canary');
  const hostile = [`x#(touch ${canary})`, 'C#Sharp', 'q#{session_name} h##[y #S t#', 'a;b sp ace ünïcødé 名前 🚀 end;'].map((name) => join(dir, 'folders', name));
  const worktrees = join(dir, 'folders', `wt #(touch ${canary}) #{pane_id};`);
  const userConfig = join(dir, 'user.yaml');
  writeFileSync(userConfig, `worktrees:\n  dir: ${JSON.stringify(worktrees)}\n`);
  const env = { CMUX_CONFIG: userConfig, CMUX_AGENT_COMMAND: 'sleep 600' };
  const harness = agentHarness(env);
  const { deps } = harness;
  const socket = { kind: 'path' as const, path: join(harness.base, 'tmux.sock') };
  let app: FastifyInstance;
  const cli = (...args: string[]) =>
    execa(process.execPath, [CLI, ...args], {
      env: { ...cleanEnv(), CMUX_HOME: harness.home, CMUX_TMUX_SOCKET: socket.path, ...env },
      extendEnv: false,
      reject: false,
      timeout: 60_000,
      cwd: ROOT,
      stdin: 'ignore',
    });

  // Where an agent works, as the registry, tmux and the kernel say, once its pane runs its program
  // (between tmux's fork and the exec the child is still in the server's folder).
  async function whereIs(id: string): Promise<{ registry: string; tmux: string; process: string }> {
    const { agent } = await findAgent(deps, id);
    const pid = await deps.tmux.panePid(agent.windowId);
    await eventually(async () => readFileSync(`/proc/${pid}/comm`, 'utf8'), (comm) => !comm.startsWith('tmux'), 20_000);
    return {
      registry: agent.cwd,
      tmux: (await tmuxCommand(socket, ['display-message', '-p', '-t', agent.windowId, '#{pane_current_path}'])).trimEnd(),
      process: readlinkSync(`/proc/${pid}/cwd`),
    };
  }
  const everywhere = (folder: string) => ({ registry: folder, tmux: folder, process: folder });

  before(async () => {
    for (const folder of hostile) mkdirSync(folder, { recursive: true });
    app = await inProcessApp(deps, TOKEN);
  });
  after(async () => {
    await app?.close();
    await harness.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('as --cwd', async () => {
    for (const [i, folder] of hostile.entries()) {
      const spawned = await cli('spawn', `f${i}`, '--cwd', folder, '--no-wait');
      assert.equal(spawned.exitCode, 0, String(spawned.stderr));
      assert.deepEqual(await whereIs(`f${i}`), everywhere(folder), folder);
    }
    assert.equal(existsSync(canary), false, 'tmux ran the command in a folder name');
  });

  it('as a project\'s root, added through the API and the CLI: its supervisor works there', async () => {
    const added = await app.inject({ method: 'POST', url: '/api/projects', headers: { authorization: `Bearer ${TOKEN}` }, payload: { root: hostile[0], name: 'p0' } });
    assert.equal(added.statusCode, 201, added.body);
    assert.deepEqual(await whereIs('supervisor-p0'), everywhere(hostile[0]!));
    const cliAdded = await cli('project', 'add', hostile[1]!, '--name', 'p1');
    assert.equal(cliAdded.exitCode, 0, String(cliAdded.stderr));
    assert.deepEqual(await whereIs('supervisor-p1'), everywhere(hostile[1]!));
    assert.equal(existsSync(canary), false);
  });

  it('as the folder of the worktrees, and as the repository', async () => {
    const repo = await makeRepo(join(hostile[2]!, 'repo'));
    const spawned = await cli('spawn', 'w1', '--worktree', '--cwd', repo, '--no-wait');
    assert.equal(spawned.exitCode, 0, String(spawned.stderr));
    assert.deepEqual(await whereIs('w1'), everywhere(join(worktrees, 'w1')));
    assert.equal(existsSync(canary), false);
  });
});
