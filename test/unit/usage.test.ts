import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createLogger, loadConfig } from '../../apps/core/src/index.ts';
import { createUsageTracker, parseSince, readLedger, readUsage, usageReport, type TokenCounts, type UsageAgent } from '../../apps/usage/index.ts';
import { emptyLedger, ledgerFile } from '../../apps/usage/ledger-file.ts';
import { fakeUsage as anthropicUsage } from '../fakes/anthropic-api.ts';
import { sumUsage } from '../fakes/fake-http.ts';
import { fakeUsage as geminiUsage } from '../fakes/gemini-api.ts';
import { fakeUsage as openAiUsage } from '../fakes/openai-responses.ts';
import { ROOT } from '../helpers/instance.ts';

// The session logs the real programs wrote against the fakes (test/fixtures/usage, captured
// from Claude Code 2.1.332, Codex 0.171.0 and Gemini CLI 0.61.0 answering the fakes' 2nd and
// 3rd answers of a session, one of them a tool call), laid out where each program keeps them.
const FIXTURES = join(ROOT, 'test', 'fixtures', 'usage');
const dir = mkdtempSync(join(tmpdir(), 'cx-usage-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const WORK = '/tmp/up/xwork';
const SESSION = 'b951f962-c7a0-415c-9204-06a1eca803b9';
const sum = (...counts: TokenCounts[]): TokenCounts => sumUsage(counts);
const tokensOf = ({ input, output, cacheRead, cacheWrite }: TokenCounts): TokenCounts => ({ input, output, cacheRead, cacheWrite });

let homes = 0;
// A home holding one program's log as that program lays it out; returns the agent and the log.
function agentWithLog(kind: 'claude-code' | 'codex' | 'gemini', opts: { id?: string; createdAt?: string; cwd?: string } = {}): { agent: UsageAgent; log: string } {
  const home = join(dir, `home-${++homes}`);
  const cwd = opts.cwd ?? WORK;
  let log: string;
  if (kind === 'claude-code') {
    log = join(home, '.claude', 'projects', cwd.replace(/[^A-Za-z0-9]/g, '-'), `${SESSION}.jsonl`);
    mkdirSync(join(log, '..'), { recursive: true });
    copyFileSync(join(FIXTURES, 'claude-code-2.1.332.jsonl'), log);
  } else if (kind === 'codex') {
    log = join(home, '.codex', 'sessions', '2026', '12', '06', 'rollout-2026-12-06T23-08-44-01a24d9d-e95c-79c0-93fa-aa641a746ae5.jsonl');
    mkdirSync(join(log, '..'), { recursive: true });
    copyFileSync(join(FIXTURES, 'codex-0.171.0.jsonl'), log);
  } else {
    log = join(home, '.gemini', 'tmp', 'xwork', 'chats', 'session-2026-12-06T23-18-f9259669.jsonl');
    mkdirSync(join(log, '..'), { recursive: true });
    copyFileSync(join(FIXTURES, 'gemini-0.61.0.jsonl'), log);
  }
  const agent: UsageAgent = {
    id: opts.id ?? `${kind}-agent`,
    kind,
    cwd,
    project: 'alpha',
    createdAt: opts.createdAt ?? '2026-12-06T23:00:00.000Z',
    sessionId: kind === 'claude-code' ? SESSION : null,
    env: new Map([['HOME', home]]),
  };
  return { agent, log };
}

async function totalOf(agents: UsageAgent[], ledger = emptyLedger()): Promise<TokenCounts & { calls: number }> {
  await readUsage(ledger, agents);
  const { total } = usageReport(ledger.rows, [], 'agent', null);
  return { ...tokensOf(total), calls: total.calls };
}

describe("token usage from the agent programs' own session logs", () => {
  const cases = [
    ['claude-code', sum(anthropicUsage(2), anthropicUsage(3))],
    ['codex', sum(openAiUsage(2), openAiUsage(3))],
    ['gemini', sum(geminiUsage(2), geminiUsage(3))],
  ] as const;
  for (const [kind, expected] of cases) {
    it(`${kind}: the sum of the fake's answers exactly, each call once (a call written again counts once)`, async () => {
      const { agent } = agentWithLog(kind);
      assert.deepEqual(await totalOf([agent]), { ...expected, calls: 2 });
    });
  }

  it('reads a growing log from where it stopped: a half-written line waits for its end, nothing is counted twice', async () => {
    const { agent, log } = agentWithLog('claude-code');
    const text = readFileSync(log, 'utf8');
    const lines = text.split('\n').filter(Boolean);
    const last = lines.findLastIndex((l) => l.includes('"assistant"'));
    writeFileSync(log, `${lines.slice(0, last).join('\n')}\n${lines[last]!.slice(0, 200)}`);
    const ledger = emptyLedger();
    assert.deepEqual(await totalOf([agent], ledger), { ...anthropicUsage(2), calls: 1 });
    appendFileSync(log, `${lines[last]!.slice(200)}\n${lines.slice(last + 1).join('\n')}\n`);
    assert.deepEqual(await totalOf([agent], ledger), { ...sum(anthropicUsage(2), anthropicUsage(3)), calls: 2 });
    assert.deepEqual(await totalOf([agent], ledger), { ...sum(anthropicUsage(2), anthropicUsage(3)), calls: 2 }, 'a read with nothing new adds nothing');
    assert.equal(ledger.logs[log]!.offset, Buffer.byteLength(readFileSync(log)));
  });

  it('skips what is not a usage line: garbage, other JSON, negative or absurd numbers, a line longer than 8 MB', async () => {
    const { agent, log } = agentWithLog('claude-code');
    const bad = [
      'not json at all {"usage" "assistant"',
      '{"type":"assistant","message":{"id":"m-x","usage":"nope"}}',
      '[1,2,3]',
      '{"type":"assistant","message":{"id":"m-neg","model":"claude-x","usage":{"input_tokens":-5,"output_tokens":"7","cache_read_input_tokens":1e400}}}',
      `{"type":"assistant","message":{"id":"m-long","usage":{"input_tokens":999,"output_tokens":999}},"pad":"${'x'.repeat(9 * 1024 * 1024)}"}`,
      '\u0000\u0001\u001b[2J',
    ];
    appendFileSync(log, `${bad.join('\n')}\n`);
    const total = await totalOf([agent]);
    assert.deepEqual(tokensOf(total), sum(anthropicUsage(2), anthropicUsage(3)), 'only the real calls carry tokens');
    assert.equal(total.calls, 3, 'the call with nonsense numbers counts as a call with no tokens');
  });

  it('a log cut shorter than what was read (replaced) is read again from its start', async () => {
    const { agent, log } = agentWithLog('gemini');
    const ledger = emptyLedger();
    await totalOf([agent], ledger);
    truncateSync(log, 0);
    appendFileSync(log, readFileSync(join(FIXTURES, 'gemini-0.61.0.jsonl'), 'utf8').split('\n').slice(0, 1).join('\n') + '\n');
    const after = await totalOf([agent], ledger);
    assert.deepEqual(tokensOf(after), sum(geminiUsage(2), geminiUsage(3)), 'what was counted stays');
    assert.ok(ledger.logs[log]!.offset < 1000, 'read again from its start');
  });

  it("finds Codex's and Gemini's logs by folder and start: none in another folder, none begun before the agent", async () => {
    const other = agentWithLog('codex', { cwd: '/somewhere/else' });
    assert.deepEqual(await totalOf([other.agent]), { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, calls: 0 });
    const later = agentWithLog('gemini', { createdAt: '2026-12-07T00:00:00.000Z' });
    assert.deepEqual((await totalOf([later.agent])).calls, 0);
    const noEnv = { ...agentWithLog('codex').agent, env: null };
    assert.deepEqual((await totalOf([noEnv])).calls, 0, 'an agent whose program is not running finds no new log');
  });

  it('an agent seen running once is remembered: the logs it began are read after it was killed', async () => {
    const { agent, log } = agentWithLog('gemini');
    const content = readFileSync(log);
    rmSync(log);
    const ledger = emptyLedger();
    assert.equal((await totalOf([agent], ledger)).calls, 0, 'no log yet');
    writeFileSync(log, content);
    assert.deepEqual(tokensOf(await totalOf([], ledger)), sum(geminiUsage(2), geminiUsage(3)), 'killed: registered no more');
    assert.deepEqual(Object.keys(ledger.agents[agent.id]!.env), ['HOME'], 'only where its program keeps its logs is remembered');
    await readUsage(ledger, [], Date.now() + 8 * 86_400_000);
    assert.equal(ledger.agents[agent.id], undefined, 'forgotten a week after it was last seen');
  });

  it('a log two agents could own (same kind, home and folder) goes to one of them, the one registered last before it began', async () => {
    const { agent } = agentWithLog('codex', { id: 'late' });
    const earlier = { ...agent, id: 'early', createdAt: '2026-12-06T22:00:00.000Z' };
    const ledger = emptyLedger();
    await readUsage(ledger, [earlier, agent]);
    const report = usageReport(ledger.rows, [], 'agent', null);
    assert.deepEqual(report.lines.map((l) => l.key), ['late']);
  });
});

describe('usage reports', () => {
  const row = (over: Partial<Parameters<typeof usageReport>[0][number]>) => ({ agent: 'w1', project: null, kind: 'codex', model: 'gpt-5', hour: '2026-12-05T10:00:00.000Z', calls: 1, input: 1_000_000, output: 100_000, cacheRead: 2_000_000, cacheWrite: 0, ...over });
  const prices = loadConfig({ env: {}, root: ROOT }).usage.prices;

  it('prices by the longest model prefix, as estimates with the dates of the prices; an unknown model has no cost', () => {
    const report = usageReport([row({}), row({ model: 'gpt-5-mini-2025', agent: 'w2' }), row({ model: 'mystery', agent: 'w3', project: 'beta' })], prices, 'agent', null);
    const cost = (key: string) => report.lines.find((l) => l.key === key)?.costUsd;
    assert.equal(cost('w1'), 1.25 + 1 + 0.25);
    assert.equal(cost('w2'), 0.25 + 0.2 + 0.05);
    assert.equal(cost('w3'), null);
    assert.equal(report.total.costUsd, null, 'a total with an unpriced part is unknown, never too low');
    assert.deepEqual(report.unpriced, ['mystery']);
    assert.deepEqual(report.pricesAsOf, ['2025-08-07']);
  });

  it('groups by project (the default project named), day and model, and keeps hours from --since on', () => {
    const rows = [row({}), row({ project: 'beta', hour: '2026-12-06T09:00:00.000Z' }), row({ model: 'gemini-2.5-flash', hour: '2026-12-06T23:00:00.000Z' })];
    assert.deepEqual(usageReport(rows, prices, 'project', null).lines.map((l) => [l.key, l.calls]), [['default', 2], ['beta', 1]]);
    assert.deepEqual(usageReport(rows, prices, 'day', null).lines.map((l) => [l.key, l.calls]), [['2026-12-05', 1], ['2026-12-06', 2]]);
    assert.deepEqual(usageReport(rows, prices, 'model', null).lines.map((l) => l.key).sort(), ['gemini-2.5-flash', 'gpt-5']);
    assert.equal(usageReport(rows, prices, 'agent', new Date('2026-12-06T09:30:00.000Z')).total.calls, 2, 'the hour a time falls in counts');
  });

  it('--since takes today, a date, an ISO time or an age, and nothing else', () => {
    const now = new Date('2026-12-06T15:30:00.000Z');
    assert.equal(parseSince('today', now)?.toISOString(), '2026-12-06T00:00:00.000Z');
    assert.equal(parseSince('2026-12-01', now)?.toISOString(), '2026-12-01T00:00:00.000Z');
    assert.equal(parseSince('2026-12-01T10:00:00Z', now)?.toISOString(), '2026-12-01T10:00:00.000Z');
    assert.equal(parseSince('12h', now)?.toISOString(), '2026-12-06T03:30:00.000Z');
    assert.equal(parseSince('7d', now)?.toISOString(), '2026-11-29T15:30:00.000Z');
    for (const bad of ['', 'yesterday', '2026-13-45', '-1d', '1w', '99999d', '2026-12-01; rm -rf /', '../../etc']) assert.equal(parseSince(bad, now), null, bad);
  });
});

describe('the usage ledger file', () => {
  const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
  const logger = createLogger('test', { out: quiet, err: quiet });

  it('is written after a read and taken up again: a restarted server reads only what is new', async () => {
    const home = join(dir, 'ledger-home');
    mkdirSync(home);
    const config = { ...loadConfig({ env: {}, root: ROOT }), home };
    const { agent, log } = agentWithLog('codex');
    const first = await createUsageTracker(config, async () => [agent], logger).report('agent', null);
    assert.deepEqual(tokensOf(first.total), sum(openAiUsage(2), openAiUsage(3)));
    assert.equal(readLedger(home).ledger.logs[log]?.offset, Buffer.byteLength(readFileSync(log)));
    const again = await createUsageTracker(config, async () => [agent], logger).report('agent', null);
    assert.deepEqual(again.total, first.total, 'nothing counted twice after a restart');
  });

  it('a broken or foreign ledger file is rebuilt from the logs, never a crash', async () => {
    const home = join(dir, 'broken-home');
    mkdirSync(join(home, 'state'), { recursive: true });
    const config = { ...loadConfig({ env: {}, root: ROOT }), home };
    const { agent } = agentWithLog('gemini');
    for (const text of ['{not json', '{"version":2,"logs":{},"rows":[]}', '{"version":1,"logs":{"x":{"offset":-1}},"rows":[]}', '']) {
      writeFileSync(ledgerFile(home), text);
      assert.notEqual(readLedger(home).problem, null, text);
      const report = await createUsageTracker(config, async () => [agent], logger).report('agent', null);
      assert.deepEqual(tokensOf(report.total), sum(geminiUsage(2), geminiUsage(3)), text);
      rmSync(ledgerFile(home));
    }
  });
});
