import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { chooseOnScreen } from '../../apps/agents/dialogs.ts';
import { ROOT } from '../helpers/instance.ts';
import { privateTmux } from '../helpers/tmux.ts';

const MENU = join(ROOT, 'test', 'fixtures', 'lagging-menu.mjs');
const CURSOR = /^\s+❯\s+/;
const TRUST = /Quick safety check/;

describe('picking a choice in a startup menu on screen', { timeout: 120_000 }, () => {
  let ctx: ReturnType<typeof privateTmux>;
  before(async () => {
    ctx = privateTmux();
    await ctx.tmux.newSession({ session: 'menus', name: 'idle', command: ['sleep', '600'] });
  });
  after(async () => ctx?.cleanup());

  // Runs the menu with `lag` (and not ready for `readyMs`), picks "Yes, I trust this folder" and
  // gives late keys time to land.
  async function pick(name: string, lag: number, readyMs = 0): Promise<string[]> {
    const record = join(ctx.dir, `${name}.record`);
    const env = { MENU_LAG_MS: String(lag), MENU_READY_MS: String(readyMs), MENU_RECORD: record };
    const window = await ctx.tmux.newWindow({ session: 'menus', name, command: [process.execPath, MENU], env });
    while (!TRUST.test(await ctx.tmux.capturePane(window))) await sleep(50);
    await chooseOnScreen(ctx.tmux, window, (pane) => TRUST.test(pane), 'Yes, I trust this folder', CURSOR);
    await sleep(lag + 1_000);
    return existsSync(record) ? readFileSync(record, 'utf8').trim().split('\n') : [];
  }

  it('moves the cursor to the choice and presses Enter once', async () => {
    assert.deepEqual(await pick('quick', 0), ['chose Yes, I trust this folder']);
  });

  it('lets a menu that just appeared hold still before the first key, as Claude Code needs', async () => {
    assert.deepEqual(await pick('early', 0, 600), ['chose Yes, I trust this folder']);
  });

  it('waits for a menu that shows each key seconds late, and never presses Enter again into what comes next', async () => {
    assert.deepEqual(await pick('late', 4_000), ['chose Yes, I trust this folder'], 'no key reached the API-key question');
  });
});
