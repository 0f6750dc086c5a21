import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './instance.ts';

// The real Claude Code the end-to-end suite drives (test/real-agents/package.json pins it).
export const CLAUDE_BIN = join(ROOT, 'test', 'real-agents', 'node_modules', '.bin', 'claude');
export const CLAUDE_VERSION = '2.1.332';
// Any key works against the fake API; Claude Code remembers a key by its last 20 characters.
export const FAKE_API_KEY = 'sk-ant-cmux-e2e-0123456789abcdefghijkl';

// A HOME for Claude Code. A returning user has finished onboarding, approved the key and
// trusts `trusted` folders, so no dialog shows; a new one (onboarding done, nothing else)
// meets the folder-trust, API-key and bypass-permissions dialogs.
export function prepareClaudeHome(home: string, opts: { returning: boolean; trusted?: readonly string[] }): string {
  mkdirSync(join(home, '.claude'), { recursive: true });
  const state: Record<string, unknown> = { hasCompletedOnboarding: true };
  if (opts.returning) {
    state.customApiKeyResponses = { approved: [FAKE_API_KEY.slice(-20)], rejected: [] };
    state.projects = Object.fromEntries((opts.trusted ?? []).map((dir) => [dir, { hasTrustDialogAccepted: true }]));
    writeFileSync(join(home, '.claude', 'settings.json'), JSON.stringify({ skipDangerousModePermissionPrompt: true }));
  }
  writeFileSync(join(home, '.claude.json'), JSON.stringify(state));
  return home;
}

// The variables that point Claude Code at the fake API with `home` as its HOME.
export function claudeEnv(apiUrl: string, home: string): Record<string, string> {
  return { HOME: home, ANTHROPIC_BASE_URL: apiUrl, ANTHROPIC_API_KEY: FAKE_API_KEY, IS_SANDBOX: '1', DISABLE_AUTOUPDATER: '1' };
}
