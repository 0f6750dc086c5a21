import { execa } from 'execa';
import { startFakeOpenAi } from '../fakes/openai-responses.ts';
import { CODEX_BIN, CODEX_FLAGS, codexHome } from './agent-homes.ts';
import { describeRealAgent } from './agent-suite.ts';

// The real Codex CLI (test/real-agents/package.json pins it) under cmux, offline.
describeRealAgent({
  title: 'Codex CLI 0.171.0, end to end against a fake OpenAI Responses API',
  kind: 'codex',
  startFake: startFakeOpenAi,
  home: (dir, fakeUrl) => codexHome(dir, fakeUrl),
  command: `${CODEX_BIN} ${CODEX_FLAGS}`,
  // A git repository: Codex asks whether to trust it, and cmux answers.
  prepareWork: async (work) => void (await execa('git', ['init', '-q', work], { timeout: 10_000 })),
  isTurn: (request) => request.path.endsWith('/v1/responses') && !JSON.stringify(request.headers['x-codex-turn-metadata'] ?? '').includes('thread_title'),
  interrupted: /Conversation interrupted/,
  turnEvents: { start: 'UserPromptSubmit', end: 'Stop' },
  userConfig: 'config.toml',
  compacted: /Context compacted/,
  // It prints the limit and ends the turn (docs/usage-limits.md): cmux sends "continue".
  limit: { resumes: false },
});
