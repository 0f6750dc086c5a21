import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderForAgent, withoutRepeat } from '../../apps/agents/render.ts';
import { summarise, type MailboxMessage } from '../../apps/core/src/index.ts';

const message = (from: string, subject: string, body?: string): MailboxMessage => ({ id: '1', ts: new Date().toISOString(), from, to: 'w1', subject, ...(body === undefined ? {} : { body }) });

describe('a message is typed with nothing said twice and nothing lost', () => {
  const cases: Array<[string, string, string, string]> = [
    ['a body equal to its subject', 'fix the parser', 'fix the parser', 'fix the parser'],
    ['a subject that is the start of the body', 'Please review', 'Please review the parser changes', 'Please review the parser changes'],
    ['a subject that is the first line of the body', 'fix the parser', 'fix the parser\nit fails on tabs', 'fix the parser\nit fails on tabs'],
    ['a subject that starts a later line (a task under its preamble)', 'write the parser', 'You are w1.\nYour task:\n\nwrite the parser', 'You are w1.\nYour task:\n\nwrite the parser'],
    ['a report `done: X` with body X', 'done: parser written', 'parser written', 'done: parser written'],
    ['a report whose body goes on', 'done: parser written', 'parser written\n\ntests pass', 'done: parser written\n\ntests pass'],
    ['a label whose rest is the start of the body', 'task #3: Write the parser', 'Write the parser\nProject default', 'task #3: Write the parser\nProject default'],
    ['a subject that says something else', 'done', 'details\nhere', 'done\n\ndetails\nhere'],
    ['a subject that is only part of a word of the body', 'fix', 'fixed it', 'fix\n\nfixed it'],
    ['a label whose rest is only part of a word', 'done: fix', 'fixed it', 'done: fix\n\nfixed it'],
    ['a subject that is in the body, but not at a line\'s start', 'the parser', 'I fixed the parser', 'the parser\n\nI fixed the parser'],
  ];
  for (const [what, subject, body, typed] of cases) {
    it(what, () => assert.equal(withoutRepeat(subject, body), typed));
  }

  it('takes a subject cut short by summarise() as the start of the body, wherever the cut falls', () => {
    const long = `${'word '.repeat(40)}end\nsecond line`;
    const subject = summarise(long);
    assert.ok(subject.endsWith('…'), subject);
    assert.equal(withoutRepeat(subject, long), long);
    assert.equal(withoutRepeat(`done: ${subject}`, long), `done: ${long}`);
    const role = `Read your role instructions in /home/someone/a/long/path/to/cmux/config/roles/supervisor.md and follow them. Then wait for messages.`;
    assert.equal(renderForAgent(message('system:cmux', summarise(role), role)), `[system:cmux] ${role}`);
  });

  it('keeps every word of subject and body in what is typed', () => {
    for (const [, subject, body] of cases) {
      const typed = withoutRepeat(subject, body);
      for (const word of `${subject} ${body}`.split(/\s+/).filter(Boolean)) assert.ok(typed.includes(word.replace(/…$/, '')), `${word} in ${JSON.stringify(typed)}`);
    }
  });

  it('applies under the sender tag, and leaves the user\'s words as written', () => {
    assert.equal(renderForAgent(message('w1', 'done: parser written', 'parser written')), '[w1] done: parser written');
    assert.equal(renderForAgent(message('w1', 'done: parser written')), '[w1] done: parser written');
    assert.equal(renderForAgent(message('user', 'hello', '  hello\nthere')), '  hello\nthere');
    assert.equal(renderForAgent(message('supervisor', '/exit')), '[supervisor] /exit');
  });

  it('types `cmux compact` from an agent as the bare command, and no other slash command', () => {
    assert.equal(renderForAgent(message('supervisor', '/compact', '/compact')), '/compact');
    assert.equal(renderForAgent(message('user', '/compact', '/compact')), '/compact');
    assert.equal(renderForAgent(message('webhook:github', '/compact', '/compact')), '[webhook:github] /compact');
    assert.equal(renderForAgent(message('supervisor', '/compact', '/compact now')), '[supervisor] /compact now');
    assert.equal(renderForAgent(message('supervisor', '/clear', '/clear')), '[supervisor] /clear');
  });
});
