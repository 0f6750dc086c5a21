import assert from 'node:assert/strict';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ADAPTERS, kindFolder, launchLine, loadKinds, resolveAgentCommand } from '../../apps/agents/kinds/index.ts';
import { composerText, detectPaneStatus, isCmuxError, loadConfig, promptDigest, shellQuote, stillInComposer } from '../../apps/core/src/index.ts';
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

  it('launches Claude Code with the hook settings beside its adapter and cmux\'s MCP server, resuming its session when it has one', () => {
    const settings = join(kindFolder(ROOT, 'claude-code'), 'settings.json');
    assert.equal(claude.settingsFile, settings);
    assert.ok(existsSync(settings));
    const mcp = shellQuote(JSON.stringify({ mcpServers: { cmux: { type: 'stdio', command: process.execPath, args: ['/c/scripts/cmux.mjs', 'mcp'] } } }));
    assert.equal(launchLine(claude, 'claude --x', null, '/c'), `PATH=/c/bin:"$PATH"; export PATH; claude --x --settings ${settings} --mcp-config ${mcp}`);
    assert.equal(launchLine(claude, 'claude', 'a b', '/c'), `PATH=/c/bin:"$PATH"; export PATH; claude --resume 'a b' --settings ${settings} --mcp-config ${mcp}`);
    // Codex has no resume rule: its command runs as given, with cmux's MCP server and hooks as
    // -c overrides, and the hooks run without Codex's trust review.
    const hook = `'hooks.%s=[{hooks=[{type="command",command="[ -n \\"$CMUX_HOOK\\" ] && \\"\${CMUX_NODE:-node}\\" \\"$CMUX_HOOK\\" codex || true"}]}]'`;
    const hooks = ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'PermissionRequest', 'Stop', 'Interrupt'].map((e) => `-c ${hook.replace('%s', e)}`).join(' ');
    assert.equal(
      launchLine(codex, 'codex --no-daemon', 'id1', '/my dir'),
      `PATH='/my dir/bin':"$PATH"; export PATH; codex --no-daemon -c 'mcp_servers.cmux.command="${process.execPath}"' -c 'mcp_servers.cmux.args=["/my dir/scripts/cmux.mjs", "mcp"]' ` +
        `-c 'mcp_servers.cmux.env_vars=["CMUX_URL", "CMUX_AGENT_NAME", "CMUX_AGENT_TOKEN"]' -c mcp_servers.cmux.tool_timeout_sec=3600 ${hooks} --dangerously-bypass-hook-trust`,
    );
  });

  it('gives the windows of Claude Code, Codex and Gemini the hook script, Gemini its settings defaults, and other kinds nothing of their own', () => {
    for (const kind of [claude, codex]) {
      const env = kind.adapter.windowEnv(ROOT);
      assert.deepEqual(env, { CMUX_HOOK: join(ROOT, 'scripts', 'agent-hook.mjs'), CMUX_NODE: process.execPath });
      assert.ok(existsSync(env.CMUX_HOOK!));
    }
    assert.deepEqual(kinds.forCommand('cat').adapter.windowEnv(ROOT), {});
    const gemini = kinds.forCommand('gemini').adapter.windowEnv(ROOT);
    assert.equal(gemini.CMUX_CLI, join(ROOT, 'scripts', 'cmux.mjs'));
    assert.equal(gemini.CMUX_HOOK, join(ROOT, 'scripts', 'agent-hook.mjs'));
    type Hooks = Record<string, Array<{ hooks: Array<{ command: string }> }>>;
    const defaults = JSON.parse(readFileSync(gemini.GEMINI_CLI_SYSTEM_DEFAULTS_PATH!, 'utf8')) as { mcpServers: { cmux: { command: string; args: string[]; env: Record<string, string> } }; hooks: Hooks };
    assert.deepEqual(defaults.mcpServers.cmux.args, ['$CMUX_CLI', 'mcp']);
    // Gemini hands a server no variable named like a token unless its env names it.
    assert.equal(defaults.mcpServers.cmux.env.CMUX_AGENT_TOKEN, '$CMUX_AGENT_TOKEN');
    // Every hook event the adapter reads runs cmux's hook script as kind gemini.
    assert.deepEqual(Object.keys(defaults.hooks), ['SessionStart', 'BeforeAgent', 'BeforeTool', 'AfterTool', 'Notification', 'AfterAgent']);
    for (const [event, groups] of Object.entries(defaults.hooks)) assert.equal(groups[0]!.hooks[0]!.command, '[ -n "$CMUX_HOOK" ] && "${CMUX_NODE:-node}" "$CMUX_HOOK" gemini || true', event);
  });

  it('reads Codex\'s and Gemini\'s hook events: busy and idle at a turn\'s start and end, waiting at a permission, the prompt taken', () => {
    const gemini = kinds.byName('gemini')!;
    const read = (kind: typeof codex, event: string, payload: Record<string, unknown> = {}) => kind.adapter.hookEvent(event, payload);
    assert.deepEqual(read(codex, 'UserPromptSubmit', { prompt: 'a b\tc' }), { status: 'busy', promptDigest: promptDigest('a b\tc'), tool: undefined });
    assert.deepEqual(['SessionStart', 'PreToolUse', 'PermissionRequest', 'Stop', 'Interrupt', 'PreCompact'].map((e) => read(codex, e).status), ['idle', 'busy', 'waiting', 'idle', 'idle', null]);
    assert.equal(read(codex, 'PreToolUse', { tool_name: 'mcp__cmux__send_message' }).tool, 'mcp__cmux__send_message');
    assert.deepEqual(read(gemini, 'BeforeAgent', { prompt: 'hi there' }), { status: 'busy', promptDigest: promptDigest('hi there'), tool: undefined });
    assert.deepEqual(['SessionStart', 'BeforeTool', 'AfterAgent', 'BeforeModel', 'SessionEnd'].map((e) => read(gemini, e).status), ['idle', 'busy', 'idle', null, null]);
    assert.equal(read(gemini, 'Notification', { notification_type: 'ToolPermission' }).status, 'waiting');
    assert.equal(read(gemini, 'Notification', { notification_type: 'Other' }).status, null);
    assert.equal(read(gemini, 'BeforeAgent', { prompt: 42 }).promptDigest, undefined, 'a prompt that is no string is no proof');
    // Both confirm a delivery by that hook; Claude Code does as before.
    assert.deepEqual(kinds.all.filter((k) => k.confirmByHook).map((k) => k.name), ['claude-code', 'codex', 'gemini']);
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
    assert.deepEqual(kinds.byName('demo')!.adapter.hookEvent('Stop', { last_assistant_message: 'x' }), { status: null });
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
