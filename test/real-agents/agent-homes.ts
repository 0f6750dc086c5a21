import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// How the real Codex and Gemini CLIs run here offline: each gets a home of its own (never the
// user's) set up as a returning user, and its API pointed at a local fake.

const BIN = resolve(import.meta.dirname, 'node_modules', '.bin');
export const CODEX_BIN = join(BIN, 'codex');
export const GEMINI_BIN = join(BIN, 'gemini');

// A model Codex has no metadata for: Codex then offers its plain `exec_command` function tool
// (known models get code-mode tools) and shows no "new model" announcement at start.
export const CODEX_MODEL = 'gpt-fake';
export const GEMINI_MODEL = 'gemini-2.5-flash';

// How cmux runs Codex: no background app-server that would outlive the window; no sandbox,
// whose network ban would stop `cmux mail send` from reaching cmux's API on loopback; tool
// commands in a plain shell with the agent's environment (a login shell, or the snapshot of
// one, resets PATH and loses cmux's bin folder).
export const CODEX_FLAGS = '--no-daemon --dangerously-bypass-approvals-and-sandbox -c allow_login_shell=false --disable shell_snapshot';

// Codex reads $CODEX_HOME/config.toml: a provider of our own whose key is read from
// OPENAI_API_KEY, no update check, and no plugin sync (it would try github.com and chatgpt.com
// at start). Returns the environment Codex needs.
export function codexHome(dir: string, fakeUrl: string): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'config.toml'),
    [
      `model = "${CODEX_MODEL}"`,
      'model_provider = "fake"',
      'check_for_update_on_startup = false',
      '',
      '[features]',
      'plugins = false',
      'remote_plugin = false',
      '',
      '[model_providers.fake]',
      'name = "Fake OpenAI"',
      `base_url = "${fakeUrl}"`,
      'env_key = "OPENAI_API_KEY"',
      'wire_api = "responses"',
      '',
    ].join('\n'),
  );
  return { CODEX_HOME: dir, OPENAI_API_KEY: 'sk-fake-codex' };
}

// How cmux runs Gemini: tool calls without asking (the shell tool runs `cmux mail send`).
export const GEMINI_FLAGS = '--approval-mode=yolo';

// Gemini CLI reads $GEMINI_CLI_HOME/.gemini/settings.json: API-key auth chosen (no login
// dialog), a fixed model (no routing question per prompt), no update check, no usage
// statistics. Folder trust stays on; `trusted` folders are trusted beforehand (answering the
// trust dialog makes Gemini restart itself, and what is typed meanwhile is lost).
export function geminiHome(dir: string, fakeUrl: string, trusted: readonly string[] = []): Record<string, string> {
  mkdirSync(join(dir, '.gemini'), { recursive: true });
  const settings = {
    security: { auth: { selectedType: 'gemini-api-key' } },
    model: { name: GEMINI_MODEL },
    general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
  };
  writeFileSync(join(dir, '.gemini', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  writeFileSync(join(dir, '.gemini', 'trustedFolders.json'), JSON.stringify(Object.fromEntries(trusted.map((folder) => [folder, 'TRUST_FOLDER']))));
  return { GEMINI_CLI_HOME: dir, GEMINI_API_KEY: 'fake-gemini-key', GOOGLE_GEMINI_BASE_URL: fakeUrl };
}
