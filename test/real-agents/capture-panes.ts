// Drives a real agent CLI through its screens in a private tmux server, against its fake API,
// and saves each screen as test/fixtures/panes/<cli>-<version>-<state>.txt, the fixtures the
// status rules of apps/agents/kinds/<cli>/kind.yaml are checked against. Run it again after a
// version bump:  node --import tsx test/real-agents/capture-panes.ts claude-code|codex|gemini
// (gemini-limits: only Gemini's usage-limit screens)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { descendantsOf, terminateAll } from '../../apps/core/src/index.ts';
import { startFakeAnthropic } from '../fakes/anthropic-api.ts';
import { startFakeGemini } from '../fakes/gemini-api.ts';
import { startFakeOpenAi } from '../fakes/openai-responses.ts';
import { CLAUDE_BIN, CLAUDE_VERSION, claudeEnv, prepareClaudeHome } from '../helpers/claude-code.ts';
import { ROOT } from '../helpers/instance.ts';
import { privateTmux } from '../helpers/tmux.ts';
import { CODEX_BIN, codexHome, GEMINI_BIN, geminiHome } from './agent-homes.ts';

const WAIT_MS = 60_000;
type Cli = 'claude-code' | 'codex' | 'gemini';
// Long enough for each program to show it as a pasted block in its input box (Gemini: over 5
// lines or 500 characters; Codex: over 1000 characters).
const PASTE = Array.from({ length: 12 }, (_, i) => `line ${i + 1} of a pasted task: read it, do what it says, then report back once you are done.`).join('\n');

interface Screen {
  // Waits until the pane matches `pattern`, then returns the pane.
  until(pattern: RegExp, timeoutMs?: number): Promise<string>;
  type(text: string): Promise<void>;
  paste(text: string): Promise<void>;
  keys(...keys: string[]): Promise<void>;
  save(state: string, pane: string): void;
}

async function session(cli: Cli, version: string, argv: string[], env: Record<string, string>, cwd: string, run: (screen: Screen) => Promise<void>) {
  const { tmux, cleanup } = privateTmux();
  let started: number[] = [];
  try {
    const target = await tmux.newSession({ session: 'capture', name: 'agent', command: argv, cwd, env, width: 120, height: 40 });
    const panePid = (await tmux.listWindows()).find((w) => w.windowId === target)?.panePid;
    if (panePid) started = [panePid];
    let last = '';
    await run({
      async until(pattern, timeoutMs = WAIT_MS) {
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
          last = await tmux.capturePane(target);
          if (pattern.test(last)) return last;
          await new Promise((r) => setTimeout(r, 200));
        }
        throw new Error(`${cli}: no ${pattern} on screen within ${timeoutMs} ms; the screen:\n${last}`);
      },
      type: (text) => tmux.sendText(target, text),
      paste: (text) => tmux.pasteText(target, text),
      keys: (...keys) => tmux.sendKeys(target, ...keys),
      save(state, pane) {
        const file = join(ROOT, 'test', 'fixtures', 'panes', `${cli}-${version}-${state}.txt`);
        writeFileSync(file, pane.replace(/[ \t]+$/gm, '').replace(/\n+$/, '\n'));
        process.stdout.write(`saved ${file}\n`);
      },
    });
  } finally {
    // Gemini CLI outlives the hangup of its pane: end what the pane started as well.
    started = [...started, ...(await descendantsOf(started))];
    await cleanup();
    await terminateAll(started, 2_000);
  }
}

// Enter, once the typed text has reached the screen.
async function submit(screen: Screen, text: string): Promise<void> {
  await screen.type(text);
  await screen.until(new RegExp(text.slice(-10).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  await screen.keys('Enter');
}

// The input box holding what was typed or pasted and not yet submitted (`typed`, `pasted`),
// each submitted after its capture; `marker` is the program's placeholder for a pasted block,
// `answered` its answer on screen.
async function captureInputBox(s: Screen, marker: RegExp, answered: (first: string) => RegExp): Promise<void> {
  await s.type('an unsent message');
  s.save('typed', await s.until(/an unsent message/));
  await s.keys('Enter');
  await s.until(answered('an unsent message'));
  await s.paste(PASTE);
  s.save('pasted', await s.until(marker));
  // At a person's pace: Gemini takes an Enter within 40 ms of a paste as a line break.
  await new Promise((r) => setTimeout(r, 1_000));
  await s.keys('Enter');
  await s.until(answered(PASTE.split('\n')[0]!.slice(0, 30)));
}

async function captureClaude(base: string): Promise<void> {
  const fake = await startFakeAnthropic();
  try {
    const work = join(base, 'claude-work');
    mkdirSync(work);
    const env = claudeEnv(fake.url, prepareClaudeHome(join(base, 'claude-home'), { returning: true, trusted: [work] }));
    await session('claude-code', CLAUDE_VERSION, [CLAUDE_BIN, '--dangerously-skip-permissions'], env, work, async (s) => {
      await s.until(/^─{3,}\n❯/m);
      await captureInputBox(s, /\[Pasted text #\d+/, (first) => new RegExp(`● Echo: ${first}[\\s\\S]*─{3,}\\n❯[ \\u00a0]*\\n─`));
      // Two Escapes on an empty input box, once there is a turn to go back to, open Rewind;
      // Escape closes it again.
      await s.keys('Escape');
      await new Promise((r) => setTimeout(r, 250));
      await s.keys('Escape');
      s.save('rewind', await s.until(/Rewind[\s\S]*❯ \(current\)/));
      await s.keys('Escape');
      await s.until(/^─{3,}\n❯[ \u00a0]*\n─{3,}/m);
    });
  } finally {
    await fake.close();
  }
}

async function captureCodex(base: string): Promise<void> {
  const version = execFileSync(CODEX_BIN, ['--version'], { encoding: 'utf8', timeout: 20_000 }).trim().split(' ').at(-1)!;
  const fake = await startFakeOpenAi();
  try {
    const work = join(base, 'codex-work');
    mkdirSync(work);
    execFileSync('git', ['init', '-q', work], { timeout: 10_000 });
    const idle = /^› .*\n[\s\S]*← for agents · \? for shortcuts/m;
    await session('codex', version, [CODEX_BIN, '--no-daemon'], codexHome(join(base, 'codex-home'), fake.url), work, async (s) => {
      // Its composer, drawn while it still loads (no session line above the footer yet).
      s.save('starting', await s.until(/^› .*\n\s*\? for shortcuts/m));
      s.save('trust', await s.until(/Trust this folder\?[\s\S]*› 1\. Trust and continue/));
      await s.keys('Enter');
      s.save('idle', await s.until(idle));
      await captureInputBox(s, /\[Pasted Content \d+ chars\]/, (first) => new RegExp(`Echo: ${first}[\\s\\S]*← for agents`));
      await submit(s, 'Say hello. DELAY 8000');
      s.save('busy', await s.until(/esc to interrupt/));
      s.save('answered', await s.until(/Echo: Say hello[\s\S]*Worked for/));
      await submit(s, 'Run it. RUN: echo approved');
      s.save('approval', await s.until(/Would you like to run the following command\?[\s\S]*Press enter to confirm/));
      await s.keys('Enter');
      s.save('after-tool', await s.until(/Ran echo approved[\s\S]*Ran it\.[\s\S]*\? for shortcuts/));
      await submit(s, 'Take your time. DELAY 30000');
      await s.until(/esc to interrupt/);
      await s.keys('Escape');
      s.save('interrupted', await s.until(/Conversation interrupted/));
      await submit(s, '/compact');
      s.save('compacted', await s.until(/Context compacted[\s\S]*\? for shortcuts/));
    });
    // A known model that has a newer one: Codex offers to switch before anything else.
    const announced = codexHome(join(base, 'codex-home-2'), fake.url);
    execFileSync('sed', ['-i', 's/^model = .*/model = "gpt-5.5"/', join(base, 'codex-home-2', 'config.toml')], { timeout: 5_000 });
    await session('codex', version, [CODEX_BIN, '--no-daemon'], announced, base, async (s) => {
      s.save('model-dialog', await s.until(/1\. Try new model[\s\S]*2\. Use existing model/));
      await s.keys('Down', 'Enter');
      // Down, Enter keeps the configured model (the startup rule of apps/agents/kinds/codex/kind.yaml).
      await s.until(/GPT-5\.5 [\s\S]*\? for shortcuts/);
    });
    // No provider of its own and no login: the sign-in screen (it needs the network).
    mkdirSync(join(base, 'codex-home-3'));
    await session('codex', version, [CODEX_BIN, '--no-daemon'], { CODEX_HOME: join(base, 'codex-home-3') }, base, async (s) => {
      s.save('login', await s.until(/Sign in with ChatGPT/));
    });
  } finally {
    await fake.close();
  }
}

async function captureGemini(base: string): Promise<void> {
  const version = execFileSync(GEMINI_BIN, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
  const fake = await startFakeGemini();
  try {
    const work = join(base, 'gemini-work');
    mkdirSync(work);
    await session('gemini', version, [GEMINI_BIN], geminiHome(join(base, 'gemini-home'), fake.url), work, async (s) => {
      s.save('trust', await s.until(/Do you trust the files in this folder\?[\s\S]*● 1\. Trust folder/));
    });
    await session('gemini', version, [GEMINI_BIN], geminiHome(join(base, 'gemini-home'), fake.url, [work]), work, async (s) => {
      s.save('idle', await s.until(/Type your message[\s\S]*gemini-2\.5-flash/));
      await captureInputBox(s, /\[Pasted Text: \d+ lines\]/, (first) => new RegExp(`Echo: ${first}[\\s\\S]*Type your message`));
      // Enter within 40 ms of a paste is taken as a line break, not a submit (0.61.0): the pasted
      // block stays in the input box, as when a busy Gemini reads a paste late.
      await s.paste(PASTE);
      await s.keys('Enter');
      s.save('pasted-enter-lost', await s.until(/\[Pasted Text: \d+ lines\]/));
      await s.keys('Enter');
      await s.until(/Echo: line 1 of a pasted[\s\S]*Echo: line 1 of a pasted[\s\S]*Type your message/);
      await submit(s, 'Say hello. DELAY 8000');
      s.save('busy', await s.until(/esc to cancel/));
      s.save('answered', await s.until(/Echo: Say hello[\s\S]*Type your message/));
      // A prompt submitted while Gemini works waits in its queue, and everything queued is sent
      // as one prompt when the turn ends (0.61.0).
      await submit(s, 'Wait a moment. DELAY 6000');
      await s.until(/esc to cancel/);
      await submit(s, 'a queued message');
      s.save('queued', await s.until(/Queued \(press ↑ to edit\):\s+a queued message/));
      await s.until(/Echo: a queued message[\s\S]*Type your message/);
      // Gemini runs read-only commands such as `echo` without asking; `touch` needs an answer.
      await submit(s, 'Run it. RUN: touch approved.txt');
      s.save('approval', await s.until(/Allow execution|Apply this change|Do you want to proceed|Allow once/));
      await s.keys('Enter');
      s.save('after-tool', await s.until(/Ran it\.[\s\S]*Type your message/));
      await submit(s, 'Take your time. DELAY 30000');
      await s.until(/esc to cancel/);
      await s.keys('Escape');
      s.save('interrupted', await s.until(/Request cancelled/));
      await submit(s, '/compress');
      s.save('compacted', await s.until(/[Cc]ompress[\s\S]*Type your message/));
    });
    // No auth type chosen: the sign-in dialog.
    mkdirSync(join(base, 'gemini-home-2'));
    await session('gemini', version, [GEMINI_BIN], { GEMINI_CLI_HOME: join(base, 'gemini-home-2'), GEMINI_CLI_TRUST_WORKSPACE: 'true' }, work, async (s) => {
      s.save('auth', await s.until(/How would you like to authenticate|Get started/));
    });
  } finally {
    await fake.close();
  }
  await captureGeminiLimits(base);
}

// A usage limit (the fake's 429 for `LIMIT <s>`; its window opens once per fake, so one fake
// each). One it can wait out (a retry delay up to 300 s): Gemini says nothing of it, waits and
// retries by itself (`limit-retrying`, 5 s into the wait). A longer one: its "Usage limit
// reached" dialog (`limit`), and once Stop is picked the error line (`limit-stopped`) (0.61.0).
async function captureGeminiLimits(base: string): Promise<void> {
  const version = execFileSync(GEMINI_BIN, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
  const work = join(base, 'gemini-limit-work');
  mkdirSync(work, { recursive: true });
  const limited = async (seconds: number, run: (s: Screen) => Promise<void>) => {
    const fake = await startFakeGemini();
    try {
      const home = geminiHome(join(base, `gemini-limit-home-${seconds}`), fake.url, [work]);
      await session('gemini', version, [GEMINI_BIN], home, work, async (s) => {
        await s.until(/Type your message[\s\S]*gemini-2\.5-flash/);
        await submit(s, `LIMIT ${seconds} then say hello`);
        await run(s);
      });
    } finally {
      await fake.close();
    }
  };
  await limited(20, async (s) => {
    s.save('limit-retrying', await s.until(/Thinking\.\.\. \(esc to cancel, (?:[5-9]|1\d)s\)/));
    await s.until(/Echo: LIMIT 20 then say hello[\s\S]*Type your message/, 90_000);
  });
  await limited(400, async (s) => {
    s.save('limit', await s.until(/Usage limit reached for[\s\S]*● 1\. Keep trying/));
    await s.keys('Down');
    await s.until(/● 2\. Stop/);
    await s.keys('Enter');
    s.save('limit-stopped', await s.until(/Please wait and try again later[\s\S]*Type your message/));
  });
}

// `gemini-limits`: only Gemini's limit screens (part of `gemini`).
const CAPTURES: Record<Cli | 'gemini-limits', (base: string) => Promise<void>> = { 'claude-code': captureClaude, codex: captureCodex, gemini: captureGemini, 'gemini-limits': captureGeminiLimits };
const cli = process.argv[2] as keyof typeof CAPTURES;
if (!Object.hasOwn(CAPTURES, cli)) throw new Error(`usage: capture-panes.ts ${Object.keys(CAPTURES).join('|')}`);
const base = mkdtempSync(join(tmpdir(), 'cx-capture-'));
try {
  await CAPTURES[cli](base);
} finally {
  rmSync(base, { recursive: true, force: true });
}
