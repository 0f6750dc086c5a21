import { startFakeGemini } from '../fakes/gemini-api.ts';
import { GEMINI_BIN, GEMINI_FLAGS, geminiHome } from './agent-homes.ts';
import { describeRealAgent } from './agent-suite.ts';

// The real Gemini CLI (test/real-agents/package.json pins it) under cmux, offline.
describeRealAgent({
  title: 'Gemini CLI 0.61.0, end to end against a fake Gemini API',
  kind: 'gemini',
  startFake: startFakeGemini,
  // The folder is trusted beforehand, as the README says to: in an untrusted one Gemini ignores
  // YOLO mode and asks before each tool call, and answering its trust dialog restarts it.
  home: (dir, fakeUrl, work) => geminiHome(dir, fakeUrl, [work]),
  command: `${GEMINI_BIN} ${GEMINI_FLAGS}`,
  prepareWork: async () => undefined,
  isTurn: (request) => request.path.endsWith(':streamGenerateContent'),
  interrupted: /Request cancelled/,
  turnEvents: { start: 'BeforeAgent', end: 'AfterAgent' },
  userConfig: '.gemini/settings.json',
  // `/compact` is an alias of Gemini's `/compress`.
  compacted: /Compression|compressed/,
  // A limit under five minutes away it waits out unseen (docs/usage-limits.md): one further
  // off opens its "Usage limit reached" dialog, answered "Stop".
  farLimit: { seconds: 400, stopped: /Please wait and try again later/ },
});
