import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAgent, sendToAgent, startAgent } from '../../apps/agents/index.ts';
import { shellQuote } from '../../apps/core/src/index.ts';
import { agentHarness } from '../helpers/agents.ts';
import { ROOT } from '../helpers/instance.ts';
import { eventually, tmuxCommand } from '../helpers/tmux.ts';

const ONE_LINE = 'hello from cmux: "quotes" \'single\' $HOME `date` ~!@#%^&*() ünïcødé 🚀';
const MANY_LINES = Array.from(
  { length: 200 },
  (_, i) => `${i === 0 ? '/not-a-command ' : ''}line ${i}: "dq" 'sq' $VAR \${BRACED} \`tick\`\ttab ✓ ${'x'.repeat(i % 7)}`,
).join('\n');
// 1 MiB in lines short enough for a terminal's canonical mode (under 4096 bytes each).
const ONE_MEGABYTE = (() => {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < 1024 * 1024; i++) {
    const line = `${String(i).padStart(6, '0')} ${'abcdefghijklmnopqrstuvwxyz0123456789 "$`\'\t'.repeat(3)}ü`;
    lines.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  return lines.join('\n');
})();

describe('exact delivery into real programs', { timeout: 240_000 }, () => {
  const harness = agentHarness();
  const { deps } = harness;
  const catFile = join(harness.base, 'cat.out');
  const bashFile = join(harness.base, 'bash.out');
  before(async () => {
    for (const [name, command] of [
      ['cat-agent', `cat > ${shellQuote(catFile)}`],
      ['bash-agent', `RECORD_FILE=${shellQuote(bashFile)} bash --rcfile ${shellQuote(join(ROOT, 'test', 'fixtures', 'bash-recorder.rc'))} --noprofile -i`],
    ] as const) {
      const agent = await createAgent(deps, { name, command, cwd: harness.base, createdBy: 'user' });
      await startAgent(deps, agent);
    }
  });
  after(async () => harness.cleanup());

  const read = (file: string) => async () => (existsSync(file) ? readFileSync(file, 'utf8') : '');

  it('a one-line text arrives byte-exact, exactly once, in cat and in bash', async () => {
    assert.equal((await sendToAgent(deps, 'cat-agent', ONE_LINE, 'user')).method, 'typed');
    assert.equal(await eventually(read(catFile), (t) => t.endsWith('\n')), `${ONE_LINE}\n`);
    await sendToAgent(deps, 'bash-agent', ONE_LINE, 'user');
    assert.equal(await eventually(read(bashFile), (t) => t.endsWith('<END>')), `${ONE_LINE}<END>`);
  });

  it('200 lines with quotes, variables, backticks, tabs, unicode and a leading / arrive as one input', async () => {
    const catBefore = await read(catFile)();
    const bashBefore = await read(bashFile)();
    assert.equal((await sendToAgent(deps, 'cat-agent', MANY_LINES, 'user')).method, 'pasted');
    await sendToAgent(deps, 'bash-agent', MANY_LINES, 'user');
    const cat = await eventually(read(catFile), (t) => t.length >= catBefore.length + MANY_LINES.length + 1);
    assert.equal(cat.slice(catBefore.length), `${MANY_LINES}\n`);
    const bash = await eventually(read(bashFile), (t) => t.length > bashBefore.length && t.endsWith('<END>'));
    assert.equal(bash.slice(bashBefore.length), `${MANY_LINES}<END>`, 'bracketed paste: one readline buffer, submitted once');
  });

  it('a command-like text from anyone but the user is prefixed with its sender', async () => {
    const before = await read(bashFile)();
    await sendToAgent(deps, 'bash-agent', '/exit now', 'supervisor');
    const after = await eventually(read(bashFile), (t) => t.length > before.length && t.endsWith('<END>'));
    assert.equal(after.slice(before.length), '[supervisor] /exit now<END>');
  });

  it('1 MB arrives byte-exact, exactly once, in cat and in bash', async () => {
    const catBefore = await read(catFile)();
    const bashBefore = await read(bashFile)();
    await sendToAgent(deps, 'cat-agent', ONE_MEGABYTE, 'user');
    const cat = await eventually(read(catFile), (t) => t.length >= catBefore.length + ONE_MEGABYTE.length + 1, 60_000);
    assert.equal(cat.slice(catBefore.length), `${ONE_MEGABYTE}\n`);
    await sendToAgent(deps, 'bash-agent', ONE_MEGABYTE, 'user');
    const bash = await eventually(read(bashFile), (t) => t.length > bashBefore.length && t.endsWith('<END>'), 90_000);
    assert.equal(bash.slice(bashBefore.length), `${ONE_MEGABYTE}<END>`);
    assert.equal((await tmuxCommand(deps.config.tmux.socket, ['list-buffers'])).trim(), '', 'no paste buffer is left behind');
  });

  it('messages to one agent keep their order; to two agents they run side by side', async () => {
    const before = await read(bashFile)();
    const texts = Array.from({ length: 10 }, (_, i) => `ordered message ${i}`);
    await Promise.all([...texts.map((t) => sendToAgent(deps, 'bash-agent', t, 'user')), sendToAgent(deps, 'cat-agent', 'in parallel', 'user')]);
    const after = await eventually(read(bashFile), (t) => t.split('<END>').length - 1 >= before.split('<END>').length - 1 + 10);
    assert.equal(after.slice(before.length), texts.map((t) => `${t}<END>`).join(''));
  });
});
