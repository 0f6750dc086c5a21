import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig, REPO_ROOT } from '../../apps/core/src/index.ts';
import { configError as configErrorIn } from '../helpers/config-error.ts';

const dir = mkdtempSync(join(tmpdir(), 'cx-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function userFile(name: string, yaml: string): string {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

const configError = (env: NodeJS.ProcessEnv) => configErrorIn(env, dir);

describe('configuration', () => {
  it('has every contract default in config/cmux.yaml', () => {
    const config = loadConfig({ env: {}, cwd: dir });
    assert.equal(config.home, join(REPO_ROOT, '.cmux'));
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.server.port, 8000);
    assert.equal(config.server.token, null);
    assert.deepEqual(config.tmux.socket, { kind: 'name', name: 'cmux' });
    assert.equal(config.tmux.session, 'cmux');
    assert.equal(config.tmux.controlMode, true);
    assert.equal(config.agents.command, null);
    assert.equal(config.logWatcher.intervalSeconds, 60);
    assert.equal(config.healer.intervalSeconds, 15);
    assert.equal(config.frontend.dist, join(REPO_ROOT, 'apps', 'dashboard', 'dist'));
    assert.deepEqual(config.webhooks.sources, {});
    assert.equal(config.files.user, null);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.server), 'the resolved config is frozen');
  });

  it('layers the CMUX_CONFIG file over the defaults and the environment over both', () => {
    const file = userFile('layer.yaml', 'home: state\nserver:\n  port: 9001\n  host: 127.0.0.2\nwebhooks:\n  sources:\n    github: { secret: "s3cret-value" }\n');
    const fromFile = loadConfig({ env: { CMUX_CONFIG: file }, cwd: '/' });
    assert.equal(fromFile.server.port, 9001);
    assert.equal(fromFile.home, join(dir, 'state'), 'relative paths in a user file are relative to that file');
    assert.equal(fromFile.server.bodyLimitBytes, 1048576, 'keys the file does not name keep their defaults');
    assert.equal(fromFile.webhooks.sources.github?.secret, 's3cret-value');

    const env = {
      CMUX_CONFIG: file,
      CMUX_PORT: '9100',
      CMUX_HOME: 'rel-home',
      CMUX_TMUX_SOCKET: '/tmp/cx.sock',
      CMUX_SESSION: 'team',
      CMUX_TOKEN: 'a-token-of-enough-length',
      CMUX_AGENT_COMMAND: 'my-agent --flag',
      CMUX_LOG_CHECK_INTERVAL: '5',
      CMUX_HEAL_INTERVAL: '7',
      CMUX_HOST: '127.0.0.3',
    };
    const config = loadConfig({ env, cwd: dir });
    assert.equal(config.server.port, 9100);
    assert.equal(config.server.host, '127.0.0.3');
    assert.equal(config.home, join(dir, 'rel-home'), 'a relative CMUX_HOME is relative to the current folder');
    assert.deepEqual(config.tmux.socket, { kind: 'path', path: '/tmp/cx.sock' });
    assert.equal(config.tmux.session, 'team');
    assert.equal(config.server.token, 'a-token-of-enough-length');
    assert.equal(config.agents.command, 'my-agent --flag');
    assert.equal(config.logWatcher.intervalSeconds, 5);
    assert.equal(config.healer.intervalSeconds, 7);
    assert.equal(config.files.user, file);
  });

  it('treats an empty environment variable as unset', () => {
    assert.equal(loadConfig({ env: { CMUX_PORT: '', CMUX_CONFIG: ' ' }, cwd: dir }).server.port, 8000);
  });

  const bad: Array<[string, NodeJS.ProcessEnv | (() => NodeJS.ProcessEnv), RegExp]> = [
    ['an unknown top-level key', () => ({ CMUX_CONFIG: userFile('a.yaml', 'bogus: 1\n') }), /bogus in .*a\.yaml: unknown key/],
    ['an unknown nested key', () => ({ CMUX_CONFIG: userFile('b.yaml', 'tmux:\n  sokcet: x\n') }), /tmux\.sokcet in .*b\.yaml: unknown key/],
    ['a wrong type', () => ({ CMUX_CONFIG: userFile('c.yaml', 'server:\n  port: "80"\n') }), /server\.port in .*c\.yaml: .*expected number.*\(got "80"\)/],
    ['a negative port', () => ({ CMUX_CONFIG: userFile('d.yaml', 'server:\n  port: -1\n') }), /server\.port in .*d\.yaml: .*>=1/],
    ['invalid YAML', () => ({ CMUX_CONFIG: userFile('e.yaml', 'server: {port: 1\n') }), /\(file\) in .*e\.yaml: invalid YAML/],
    ['a list at the top', () => ({ CMUX_CONFIG: userFile('f.yaml', '- 1\n- 2\n') }), /\(file\) in .*f\.yaml: the top level must be a mapping/],
    ['a missing file', { CMUX_CONFIG: '/nonexistent/cmux.yaml' }, /\(file\) in \/nonexistent\/cmux\.yaml: the file does not exist/],
    ['a non-numeric CMUX_PORT', { CMUX_PORT: '80a' }, /CMUX_PORT in environment: expected a whole number \(got "80a"\)/],
    ['a zero interval', { CMUX_HEAL_INTERVAL: '0' }, /CMUX_HEAL_INTERVAL in environment: .*>=1/],
    ['a control mode that is not true or false', () => ({ CMUX_CONFIG: userFile('i.yaml', 'tmux:\n  controlMode: "yes"\n') }), /tmux\.controlMode in .*i\.yaml: .*expected boolean/],
    ['a session name tmux would read as a target', { CMUX_SESSION: 'a:b' }, /CMUX_SESSION in environment: letters, digits/],
    ['a socket name with a slash that is not absolute', { CMUX_TMUX_SOCKET: '../x' }, /CMUX_TMUX_SOCKET in environment: a socket name/],
    ['a hold margin over an hour', () => ({ CMUX_CONFIG: userFile('j.yaml', 'router:\n  holdMarginSeconds: 3601\n') }), /router\.holdMarginSeconds in .*j\.yaml: .*<=3600/],
    ['an empty continue text', () => ({ CMUX_CONFIG: userFile('k.yaml', 'limits:\n  continue:\n    codex: ""\n') }), /limits\.continue\.codex in .*k\.yaml: .*>=1 characters/],
    ['a continue for a kind name with a slash', () => ({ CMUX_CONFIG: userFile('l.yaml', 'limits:\n  continue:\n    "../x": go\n') }), /limits\.continue\.\.\.\/x in .*l\.yaml: invalid key name: a kind name/],
    ['a short webhook secret', () => ({ CMUX_CONFIG: userFile('g.yaml', 'webhooks:\n  sources:\n    gh: { secret: "x" }\n') }), /webhooks\.sources\.gh\.secret in .*g\.yaml: a webhook secret needs at least 8/],
    ['a webhook source name with a slash', () => ({ CMUX_CONFIG: userFile('h.yaml', 'webhooks:\n  sources:\n    "../x": { secret: "long-enough" }\n') }), /webhooks\.sources\.\.\.\/x in .*h\.yaml: invalid key name: a source name/],
  ];
  for (const [name, env, expected] of bad) {
    it(`rejects ${name}, naming the key, the file and the reason`, () => {
      assert.match(configError(typeof env === 'function' ? env() : env), expected);
    });
  }

  it('never echoes a token back in an error', () => {
    const message = configError({ CMUX_TOKEN: 'hunter2' });
    assert.match(message, /CMUX_TOKEN in environment: a token needs at least 16 characters/);
    assert.doesNotMatch(message, /hunter2/);
  });
});
