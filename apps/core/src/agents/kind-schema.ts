import * as z from 'zod';

// A kind's name: a folder under apps/agents/kinds/ and a key under `agentKinds:`.
export const KIND_NAME = /^[a-z][a-z0-9-]{0,39}$/;

// Kind patterns are compiled multiline (^ and $ at each line) and with Unicode.
export const KIND_PATTERN_FLAGS = 'mu';

// A pattern that must compile as a kind pattern; the error says why it does not.
const pattern = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source, KIND_PATTERN_FLAGS);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(error as Error).message}` });
  }
});
const patternList = z.array(pattern);
const statusShape = { busy: patternList, waiting: patternList, idle: patternList };

// Every field a kind's YAML may hold, none defaulted: an override names only what it changes.
const fields = {
  command: pattern,
  settingsFile: z.string().min(1),
  confirmByHook: z.boolean(),
  statusFromScreen: z.boolean(),
  run: z.string().regex(/^[^\n\r\0]{1,4096}$/, 'one line of at most 4096 characters'),
  interruptKeys: z.array(z.string().min(1)).min(1),
  clearInputKeys: z.array(z.string().min(1)),
  resume: z.string().regex(/\{sessionId\}/, 'must hold {sessionId}'),
  submitDelayMs: z.number().int().min(0).max(10_000),
  enterRetries: z.number().int().min(0).max(10),
  statusLines: z.number().int().min(1).max(200),
  status: z.strictObject(statusShape),
  interrupted: patternList,
  composer: pattern,
  composerPlaceholder: pattern,
  pastedText: pattern,
  keyChoices: pattern,
  choiceCursor: pattern,
  startup: z.array(z.strictObject({ when: pattern, choose: z.string().min(1), requires: z.enum(['acceptApiKey']).optional() })),
  turnStopped: pattern,
  strayMenus: z.array(z.strictObject({ when: pattern, close: z.array(z.string().min(1)).min(1) })),
  limits: z.strictObject({
    screen: patternList,
    retrying: patternList.default([]),
    resumes: z.boolean(),
    account: z.array(z.string().regex(/^[A-Z_][A-Z0-9_]{0,63}$/, 'an environment variable name')),
    after: z.array(z.strictObject({ when: pattern, choose: z.string().min(1) })),
  }),
};

// A whole kind, as in apps/agents/kinds/<kind>/kind.yaml.
export const agentKindSchema = z.strictObject({
  ...fields,
  settingsFile: fields.settingsFile.optional(),
  confirmByHook: fields.confirmByHook.default(false),
  statusFromScreen: fields.statusFromScreen.default(true),
  run: fields.run.optional(),
  clearInputKeys: fields.clearInputKeys.default([]),
  resume: fields.resume.optional(),
  interrupted: fields.interrupted.default([]),
  composer: fields.composer.optional(),
  composerPlaceholder: fields.composerPlaceholder.optional(),
  pastedText: fields.pastedText.optional(),
  keyChoices: fields.keyChoices.optional(),
  choiceCursor: fields.choiceCursor.optional(),
  turnStopped: fields.turnStopped.optional(),
  strayMenus: fields.strayMenus.default([]),
  limits: fields.limits.optional(),
});
export type AgentKindInput = z.infer<typeof agentKindSchema>;

// What `agentKinds.<kind>` in a configuration file may change of a kind, field by field (a
// list replaces the whole list; `status` is changed one state at a time).
export const agentKindOverrideSchema = z.strictObject({ ...fields, status: z.strictObject(statusShape).partial() }).partial();
export type AgentKindOverride = z.infer<typeof agentKindOverrideSchema>;
