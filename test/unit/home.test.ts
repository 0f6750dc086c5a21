import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { addJournalEntry, assertHomeTree, ensureOwnHome, isCmuxError, loadConfig, writeAttachment, replaceHomeFile } from '../../apps/core/src/index.ts';
import { readRegistry } from '../../apps/registry/read.ts';
import { createDeadLetters } from '../../apps/router/dead-letters.ts';
import { ensureToken } from '../../apps/server/auth/token.ts';
import { cleanEnv } from '../helpers/instance.ts';

const dir = mkdtempSync(join(tmpdir(), 'cx-home-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const unsafe = (e: unknown) => isCmuxError(e, 'CMUX_ERR_HOME_UNSAFE');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('CMUX_HOME is ours or refused (M5)', () => {
  it('creates a missing home with mode 0700', () => {
    const home = join(dir, 'new', 'home');
    assert.equal(ensureOwnHome(home), 'created');
    assert.equal(statSync(home).mode & 0o777, 0o700);
  });

  it('refuses a home another user owns, naming the fix', () => {
    let foreign = '/tmp';
    if (process.getuid?.() === 0) {
      foreign = join(dir, 'foreign');
      mkdirSync(foreign, { mode: 0o700 });
      chownSync(foreign, 65534, 65534);
    }
    assert.throws(() => ensureOwnHome(foreign), (e) => unsafe(e) && /belongs to user \d+, not to you/.test((e as Error).message) && /set CMUX_HOME/.test((e as Error).message));
  });

  it('refuses a home that group or others may write in, with the chmod to run', () => {
    const home = join(dir, 'open');
    mkdirSync(home);
    chmodSync(home, 0o777);
    assert.throws(() => ensureOwnHome(home), (e) => unsafe(e) && (e as Error).message.includes(`chmod 700 ${home}`) && /mode 0777/.test((e as Error).message));
  });

  it('refuses a home below a folder that group or others may write in without the sticky bit (#25)', () => {
    const open = join(dir, 'open-parent');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const home = join(open, 'deeper', 'home');
    assert.throws(
      () => ensureOwnHome(home),
      (e) => unsafe(e) && (e as Error).message.startsWith(`${open}, a folder above CMUX_HOME ${home}, is writable by group or others without the sticky bit (mode 0777)`) && (e as Error).message.includes(`chmod go-w ${open}`),
    );
    assert.equal(existsSync(join(open, 'deeper')), false, 'nothing was made below it');
    // Through a link too: the folder the link leads to counts, not the link's own mode.
    const link = join(dir, 'link-to-open');
    symlinkSync(open, link);
    assert.throws(() => ensureOwnHome(join(link, 'home')), (e) => unsafe(e) && (e as Error).message.startsWith(`${open}, a folder above`));
    chmodSync(open, 0o1777);
    assert.equal(ensureOwnHome(home), 'created', 'the sticky bit keeps others from moving it: as /tmp');
  });

  it('refuses a home below a folder another user owns (#25)', (t) => {
    if (process.getuid?.() !== 0) return t.skip('only root can give a folder to another user');
    const theirs = join(dir, 'theirs');
    mkdirSync(theirs, { mode: 0o755 });
    chownSync(theirs, 65534, 65534);
    assert.throws(() => ensureOwnHome(join(theirs, 'home')), (e) => unsafe(e) && (e as Error).message.startsWith(`${theirs}, a folder above CMUX_HOME ${join(theirs, 'home')}, belongs to user 65534`));
  });

  it('makes a home of the user that others may only read private', () => {
    const home = join(dir, 'readable');
    mkdirSync(home);
    chmodSync(home, 0o755);
    assert.equal(ensureOwnHome(home), 'tightened');
    assert.equal(statSync(home).mode & 0o777, 0o700);
  });
});

describe('files in CMUX_HOME are never written through a planted link (L3)', () => {
  const home = join(dir, 'links');
  const outside = join(dir, 'outside');
  mkdirSync(home, { recursive: true });
  mkdirSync(outside, { recursive: true });
  const secret = join(outside, 'secret.txt');
  writeFileSync(secret, 'the target of a link: must stay as it is and unread\n');
  chmodSync(secret, 0o644);

  it('a token that is a link is refused, its target neither changed nor read', () => {
    symlinkSync(secret, join(home, 'token'));
    const config = loadConfig({ env: { ...cleanEnv(), CMUX_HOME: home }, cwd: dir });
    assert.throws(() => ensureToken(config), (e) => unsafe(e) && /token is a symbolic link/.test((e as Error).message));
    assert.equal(statSync(secret).mode & 0o777, 0o644);
  });

  it('a registry that is a link is refused, on reading and on writing', async () => {
    symlinkSync(secret, join(home, 'agents.yaml'));
    await assert.rejects(readRegistry(join(home, 'agents.yaml')), (e: unknown) => isCmuxError(e, 'CMUX_ERR_REGISTRY_CORRUPT') && /symbolic link/.test((e as Error).message));
    assert.throws(() => replaceHomeFile(home, join(home, 'agents.yaml'), 'agents: {}\n'), unsafe);
  });

  it('dead letters, journal entries and attachments through a linked file or folder are refused', async () => {
    symlinkSync(secret, join(home, 'mailbox.dead.jsonl'));
    await assert.rejects(createDeadLetters(home, quiet).add({ reason: 'r', line: 'x', bytes: 1 }), unsafe);
    symlinkSync(outside, join(home, 'journal'));
    await assert.rejects(addJournalEntry(home, { title: 't', content: 'c' }), unsafe);
    assert.throws(() => writeAttachment(home, 'webhook-ci', 'json', '{}'), unsafe);
  });

  it('left everything outside CMUX_HOME untouched', () => {
    assert.equal(readFileSync(secret, 'utf8'), 'the target of a link: must stay as it is and unread\n');
    assert.deepEqual(readdirSync(outside), ['secret.txt']);
  });
});


describe('what start checks in CMUX_HOME before anything runs (#25)', () => {
  const home = join(dir, 'tree');
  const config = loadConfig({ env: { ...cleanEnv(), CMUX_HOME: home, CMUX_TMUX_SOCKET: join(home, 'state', 'tmux.sock') }, cwd: dir });
  const refusedAt = (path: string) => (e: unknown) => unsafe(e) && (e as Error).message.startsWith(`${join(home, path)} is `);

  it('makes state/ and logs/, and passes what cmux makes, a socket where tmux was told to put it, and what else lies at the top', async () => {
    mkdirSync(home, { recursive: true });
    symlinkSync(join(dir, 'elsewhere'), join(home, 'agents.yaml.invalid-2026-01-01T00-00-00-000Z'));
    writeFileSync(join(home, 'notes.txt'), 'mine\n');
    assertHomeTree(config);
    assert.ok(statSync(join(home, 'state')).isDirectory() && statSync(join(home, 'logs')).isDirectory());
    const tmux = createServer();
    await new Promise<void>((resolve) => tmux.listen(join(home, 'state', 'tmux.sock'), resolve));
    try {
      assertHomeTree(config);
    } finally {
      await new Promise((resolve) => tmux.close(resolve));
    }
  });

  const plants: Array<[string, string, (path: string) => void]> = [
    ['a FIFO as the registry', 'agents.yaml', (path) => execFileSync('mkfifo', [path], { timeout: 5_000 })],
    ['a link as the mailbox lock\'s queue', 'mailbox.jsonl.queue', (path) => symlinkSync(dir, path)],
    ['a link deep in state/', join('state', 'typing', 'w1.holder'), (path) => symlinkSync(join(dir, 'x'), path)],
    ['a socket among the logs', join('logs', 'x.log'), (path) => execFileSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.exit())`], { timeout: 5_000 })],
    ['a file as journal/', 'journal', (path) => writeFileSync(path, '')],
  ];
  for (const [name, path, plant] of plants) {
    it(`refuses ${name}, naming it`, () => {
      mkdirSync(join(home, dirname(path)), { recursive: true });
      plant(join(home, path));
      try {
        assert.throws(() => assertHomeTree(config), refusedAt(path));
      } finally {
        rmSync(join(home, path), { force: true });
      }
    });
  }
});
