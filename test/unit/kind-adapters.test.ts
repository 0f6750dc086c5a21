import assert from 'node:assert/strict';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ADAPTERS, kindFolder, launchLine, loadKinds, resolveAgentCommand } from '../../apps/agents/kinds/index.ts';
import { composerText, detectPaneStatus, isCmuxError, loadConfig, promptDigest, stillInComposer } from '../../apps/core/src/index.ts';
import { ROOT } from '../helpers/instance.ts';

const dir = mkdtempSync(join(tmpdir(), 'cx-kinds-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The configuration with `yaml` as the CMUX_CONFIG file.
function configWith(yaml: string | null, env: NodeJS.ProcessEnv = {}) {
  if (yaml === null) return loadConfig({ env, cwd: dir, root: ROOT });
  const file = join(dir, `cmux-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  return loadConfig({ env: { ...env, CMUX_CONFIG: file }, cwd: dir, root: ROOT });
}

function configError(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    assert.ok(isCmuxError(error, 'CMUX_ERR_CONFIG_INVALID'), String(error));
    return error.message;
  }
  assert.fail('expected a configuration error');
}

const kinds = loadKinds(configWith(null));
const claude = kinds.byName('claude-code')!;
const codex = kinds.byName('codex')!;

describe('agent kind adapters', () => {
  it('has one folder with its kind.yaml and adapter per kind, and every folder is a kind', () => {
    const folders = readdirSync(join(ROOT, 'apps', 'agents', 'kinds'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    assert.deepEqual(ADAPTERS.map((a) => a.name).sort(), folders);
    for (const { name } of ADAPTERS) {
      assert.ok(existsSync(join(kindFolder(ROOT, name), 'kind.yaml')), `${name}/kind.yaml`);
      assert.ok(existsSync(join(kindFolder(ROOT, name), 'adapter.ts')), `${name}/adapter.ts`);
    }
    assert.deepEqual(kinds.all.map((k) => k.name), ['claude-code', 'codex', 'gemini', 'demo', 'generic']);
  });

  it('launches Claude Code with the hook settings beside its adapter, resuming its session when it has one', () => {
    const settings = join(kindFolder(ROOT, 'claude-code'), 'settings.json');
    assert.equal(claude.settingsFile, settings);
    assert.ok(existsSync(settings));
    assert.equal(launchLine(claude, 'claude --x', null, '/c/bin'), `PATH=/c/bin:"$PATH"; export PATH; claude --x --settings ${settings}`);
    assert.equal(launchLine(claude, 'claude', 'a b', '/c/bin'), `PATH=/c/bin:"$PATH"; export PATH; claude --resume 'a b' --settings ${settings}`);
    // Codex has no settings and no resume rule: its command runs as it is given.
    assert.equal(launchLine(codex, 'codex --no-daemon', 'id1', '/my bin'), `PATH='/my bin':"$PATH"; export PATH; codex --no-daemon`);
  });

  it('gives Claude Code windows the hook script, and other kinds nothing of their own', () => {
    const env = claude.adapter.windowEnv(ROOT);
    assert.equal(env.CMUX_HOOK, join(ROOT, 'scripts', 'claude-hook.mjs'));
    assert.ok(existsSync(env.CMUX_HOOK!));
    assert.equal(env.CMUX_NODE, process.execPath);
    assert.deepEqual(codex.adapter.windowEnv(ROOT), {});
  });

  it('refuses Claude Code as root without IS_SANDBOX, and nothing else', () => {
    const skip = 'claude --dangerously-skip-permissions';
    const previous = process.env.IS_SANDBOX;
    delete process.env.IS_SANDBOX;
    try {
      assert.match(claude.adapter.cannotRun(skip, {}, 0) ?? '', /IS_SANDBOX=1.*agents\.env/);
      assert.equal(claude.adapter.cannotRun(skip, { IS_SANDBOX: '1' }, 0), null);
      assert.equal(claude.adapter.cannotRun(skip, {}, 1000), null);
      assert.equal(claude.adapter.cannotRun('claude', {}, 0), null);
      assert.equal(codex.adapter.cannotRun('codex --dangerously-skip-permissions', {}, 0), null);
    } finally {
      if (previous !== undefined) process.env.IS_SANDBOX = previous;
    }
  });

  it('reads Claude Code hook events: status, session id, answer, prompt and tool', () => {
    const read = claude.adapter.hookEvent;
    assert.equal(read('PreToolUse', {}).status, 'busy');
    assert.equal(read('Stop', {}).status, 'idle');
    assert.equal(read('Notification', { message: 'Claude needs your permission to use Bash' }).status, 'waiting');
    assert.equal(read('Notification', { message: 'Claude is waiting for your input' }).status, 'idle');
    assert.equal(read('Notification', { message: 'something else' }).status, null);
    assert.equal(read('Whatever', {}).status, null);
    assert.equal(read('SessionStart', { session_id: 's-1' }).sessionId, 's-1');
    assert.equal(read('Stop', { last_assistant_message: 'done' }).reply, 'done');
    assert.equal(read('Stop', { session_id: 's-1' }).sessionId, undefined, 'only SessionStart sets the session');
    assert.equal(read('UserPromptSubmit', { prompt: 'hello' }).promptDigest, promptDigest('hello'));
    assert.equal(read('PostToolUse', { tool_name: 'Bash' }).tool, 'Bash');
    // A kind without hooks reads nothing from an event.
    assert.deepEqual(codex.adapter.hookEvent('Stop', { last_assistant_message: 'x' }), { status: null });
  });

  it('refuses a kind.yaml with an unknown field or a bad pattern, naming the file and the key', () => {
    const root = join(dir, 'root');
    cpSync(join(ROOT, 'apps', 'agents', 'kinds'), kindFolder(root, ''), { recursive: true });
    const file = join(kindFolder(root, 'codex'), 'kind.yaml');
    const good = readFileSync(file, 'utf8');
    const config = { ...configWith(null), root };
    writeFileSync(file, `${good}colour: red\n`);
    assert.match(configError(() => loadKinds(config)), /colour in .*codex\/kind\.yaml: unknown key/);
    writeFileSync(file, good.replace("composer: '", "composer: '(("));
    assert.match(configError(() => loadKinds(config)), /composer in .*codex\/kind\.yaml: not a valid regular expression/);
  });

  it('defaults to Claude Code when claude is on PATH, else to the demo agent, saying what is missing', () => {
    const config = configWith(null);
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    const empty = resolveAgentCommand(config, { PATH: join(dir, 'nothing') });
    assert.equal(empty.source, 'demo');
    assert.match(empty.command, /dist\/apps\/demo-agent\/index\.js$/);
    assert.equal(kinds.forCommand(empty.command).name, 'demo');
    assert.deepEqual(empty.missing.map((m) => m.program), ['claude']);
    writeFileSync(join(bin, 'claude'), '#!/bin/sh\n');
    chmodSync(join(bin, 'claude'), 0o755);
    const found = resolveAgentCommand(config, { PATH: bin });
    assert.deepEqual(found, { command: 'claude --dangerously-skip-permissions', source: 'claude-code', missing: [] });
    const configured = resolveAgentCommand(configWith(null, { CMUX_AGENT_COMMAND: 'codex' }), { PATH: bin });
    assert.deepEqual(configured, { command: 'codex', source: 'config', missing: [] });
  });
});

describe('agentKinds in the configuration', () => {
  it('changes one pattern of a built-in kind and adds a kind of its own, which is tried first', () => {
    const layered = loadKinds(
      configWith(
        [
          'agentKinds:',
          '  codex:',
          "    status: { idle: ['READY>'] }",
          '    submitDelayMs: 400',
          '  aider:',
          "    command: '(^|[\\s/])aider(\\s|$)'",
          "    settingsFile: aider.conf",
          '    status:',
          "      busy: ['Waiting for']",
          "      idle: ['^> $']",
          '  claude-wrapper:',
          "    command: 'claude --model opus'",
        ].join('\n'),
      ),
    );
    const changed = layered.byName('codex')!;
    assert.deepEqual(changed.status.idle.map(String), ['/READY>/mu']);
    assert.deepEqual(changed.status.busy, codex.status.busy, 'the other states keep their patterns');
    assert.equal(changed.submitDelayMs, 400);
    assert.equal(changed.composer?.source, codex.composer?.source, 'fields not named keep theirs');
    assert.equal(detectPaneStatus(changed, 'READY>'), 'idle');

    const aider = layered.forCommand('/usr/bin/aider --yes');
    assert.equal(aider.name, 'aider');
    assert.deepEqual(aider.interruptKeys, ['C-c'], 'what a new kind does not give comes from generic');
    assert.equal(aider.settingsFile, join(dir, 'aider.conf'), 'a path is relative to the file it is in');
    assert.equal(detectPaneStatus(aider, 'Waiting for gpt'), 'busy');
    assert.deepEqual(aider.adapter.hookEvent('Stop', {}), { status: null });
    assert.equal(layered.forCommand('claude --model opus').name, 'claude-wrapper');
    assert.equal(layered.forCommand('claude').name, 'claude-code');
    assert.equal(layered.forCommand('cat').name, 'generic');
  });

  it('takes the input-box rules of a kind of its own: what its empty box shows, and its placeholder for a paste', () => {
    const yaml = ['agentKinds:', '  aider:', "    command: 'aider'", "    composer: '^> (.*)$'", "    composerPlaceholder: 'ask me anything'", "    pastedText: '\\{pasted \\d+ lines\\}'"];
    const aider = loadKinds(configWith(yaml.join('\n'))).forCommand('aider');
    assert.equal(composerText(aider, 'banner\n> ask me anything'), '', 'its placeholder is an empty box');
    assert.equal(composerText(aider, 'banner\n> fix the bug'), 'fix the bug');
    assert.equal(stillInComposer(aider, 'banner\n> {pasted 3 lines}', 'one\ntwo\nthree'), true);
    assert.equal(stillInComposer(aider, 'banner\n> [Pasted text #1 +3 lines]', 'one\ntwo\nthree'), false, 'another program\'s placeholder is not its own');
  });

  const bad: Array<[string, string, RegExp]> = [
    ['an unknown field', "agentKinds:\n  codex:\n    colour: red\n", /agentKinds\.codex\.colour in .*\.yaml: unknown key/],
    ['an unknown status', "agentKinds:\n  codex:\n    status: { sleepy: ['x'] }\n", /agentKinds\.codex\.status\.sleepy in .*\.yaml: unknown key/],
    ['a bad pattern', "agentKinds:\n  codex:\n    status: { busy: ['ok', '(unclosed'] }\n", /agentKinds\.codex\.status\.busy\.1 in .*\.yaml: not a valid regular expression/],
    ['a bad command pattern', "agentKinds:\n  aider:\n    command: '[a-'\n", /agentKinds\.aider\.command in .*\.yaml: not a valid regular expression/],
    ['a resume without its session id', "agentKinds:\n  codex:\n    resume: 'resume --last'\n", /agentKinds\.codex\.resume in .*\.yaml: must hold \{sessionId\}/],
    ['a bad kind name', "agentKinds:\n  'My Kind':\n    command: x\n", /agentKinds\.My Kind in .*\.yaml: invalid key name: a kind name/],
    ['a wrong type', "agentKinds:\n  codex:\n    interruptKeys: Escape\n", /agentKinds\.codex\.interruptKeys in .*\.yaml: .*expected array/],
    ['a bad pasted-text pattern', "agentKinds:\n  gemini:\n    pastedText: '[Pasted'\n", /agentKinds\.gemini\.pastedText in .*\.yaml: not a valid regular expression/],
    ['a bad placeholder pattern', "agentKinds:\n  codex:\n    composerPlaceholder: '(Ask'\n", /agentKinds\.codex\.composerPlaceholder in .*\.yaml: not a valid regular expression/],
    ['a bad turn-stopped pattern', "agentKinds:\n  claude-code:\n    turnStopped: '*'\n", /agentKinds\.claude-code\.turnStopped in .*\.yaml: not a valid regular expression/],
    ['a stray menu without close keys', "agentKinds:\n  claude-code:\n    strayMenus: [{ when: 'Rewind', close: [] }]\n", /agentKinds\.claude-code\.strayMenus\.0\.close in .*\.yaml: /],
    ['a stray menu with an unknown field', "agentKinds:\n  claude-code:\n    strayMenus: [{ when: 'Rewind', close: [Escape], keys: [q] }]\n", /agentKinds\.claude-code\.strayMenus\.0\.keys in .*\.yaml: unknown key/],
  ];
  for (const [name, yaml, expected] of bad) {
    it(`rejects ${name}, naming the key and the file`, () => assert.match(configError(() => configWith(yaml)), expected));
  }

  it('rejects a kind of its own without a command, and a generic kind that is no longer the fallback', () => {
    assert.match(configError(() => loadKinds(configWith("agentKinds:\n  aider:\n    status: { idle: ['> $'] }\n"))), /agentKinds\.aider\.command in .*\.yaml: a kind of your own needs a command pattern/);
    assert.match(configError(() => loadKinds(configWith("agentKinds:\n  generic:\n    command: 'x'\n"))), /agentKinds\.generic\.command in .*\.yaml: generic is the fallback/);
  });
});
