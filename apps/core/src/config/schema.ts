import * as z from 'zod';
import { agentKindOverrideSchema, KIND_NAME, type AgentKindOverride } from '../agents/kind-schema.js';
import { HOST_NAME } from '../mailbox/schema.js';

const SOCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const SESSION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;

const seconds = z.number().int().min(1).max(86_400);
// A pattern that must compile as a JavaScript regular expression.
const regexSource = z.string().min(1).superRefine((source, ctx) => {
  try {
    new RegExp(source, 'u');
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(error as Error).message}` });
  }
});
const milliseconds = z.number().int().min(100).max(600_000);
// Variables for agent windows: shell-style names; CMUX_* are cmux's own to set.
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
export const agentEnv = z.record(z.string(), z.string().max(32_768).regex(/^[^\0]*$/, 'no NUL characters')).superRefine((env, ctx) => {
  for (const name of Object.keys(env)) {
    if (!ENV_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'a variable name: letters, digits and _, not starting with a digit' });
    else if (name.startsWith('CMUX_')) ctx.addIssue({ code: 'custom', path: [name], message: 'CMUX_* variables are set by cmux itself' });
  }
});

// US dollars per million tokens, a list price as of a date: what cost estimates multiply by.
const dollarsPerMillion = z.number().min(0).max(10_000);
export const priceSchema = z.strictObject({
  // The model names it applies to: this prefix (the longest matching prefix wins).
  model: z.string().min(1).max(200),
  input: dollarsPerMillion,
  output: dollarsPerMillion,
  cacheRead: dollarsPerMillion,
  cacheWrite: dollarsPerMillion,
  asOf: z.iso.date('a date, YYYY-MM-DD'),
});
export type Price = z.infer<typeof priceSchema>;

const hostName = z.string().regex(new RegExp(`^${HOST_NAME}$`), 'lowercase letters, digits and -, 1-32, starting with a letter or digit');
const nullablePath = z.string().min(1).nullable();
// host:port to listen on.
const listenAddress = z
  .string()
  .regex(/^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):\d{1,5}$/, 'host:port, e.g. 127.0.0.1:4222')
  .refine((v) => {
    const port = Number(v.slice(v.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65535;
  }, 'a port from 1 to 65535');

// `cluster` (docs/CLUSTER.md): this host as a member of a team across machines joined through
// NATS JetStream, and, on the host that serves it, the hub.
export const clusterInputSchema = z.strictObject({
  host: hostName.nullable(),
  name: hostName,
  heartbeatSeconds: z.number().int().min(1).max(60),
  unreachableSeconds: z.number().int().min(2).max(600),
  maxInFlight: z.number().int().min(16).max(1_000_000),
  nats: z.strictObject({
    url: z.string().regex(/^(nats|tls):\/\/[^\s/]+$/, 'nats://host:port or tls://host:port').nullable(),
    user: z.string().min(1).max(200).nullable(),
    password: z.string().min(1).max(1_000).nullable(),
    token: z.string().min(8).max(1_000).nullable(),
    credsFile: nullablePath,
    tls: z.strictObject({ ca: nullablePath, cert: nullablePath, key: nullablePath }),
    privateNetwork: z.boolean(),
  }),
  hub: z.strictObject({
    enabled: z.boolean(),
    natsServer: nullablePath,
    listen: listenAddress,
    leafListen: listenAddress.nullable(),
    tls: z.strictObject({ cert: nullablePath, key: nullablePath }),
    storeDir: nullablePath,
    maxPayloadBytes: z.number().int().min(1024 * 1024).max(64 * 1024 * 1024),
    retentionHours: z.number().int().min(1).max(24 * 365),
    maxStreamBytes: z.number().int().min(64 * 1024 * 1024),
  }),
});

// The whole configuration as it is written in YAML (and after environment overrides).
// Strict everywhere: an unknown key is an error, never silently ignored.
export const configInputSchema = z.strictObject({
  home: z.string().min(1),
  server: z.strictObject({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65_535),
    token: z
      .string()
      .min(16, 'a token needs at least 16 characters')
      .regex(/^[\x21-\x7e]+$/, 'a token is printable ASCII without spaces')
      .nullable(),
    bodyLimitBytes: z.number().int().min(1024).max(64 * 1024 * 1024),
    allowedHosts: z.array(z.string().regex(/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:]+\]$/, 'a host name or address, without a port')),
  }),
  tmux: z.strictObject({
    socket: z
      .string()
      .refine((s) => s.startsWith('/') || SOCKET_NAME.test(s), 'a socket name ([A-Za-z0-9_.-]) or an absolute path'),
    session: z.string().regex(SESSION_NAME, 'letters, digits, _ and -, starting with a letter or digit'),
    systemWindows: z.array(z.string().min(1)),
    commandTimeoutSeconds: seconds,
    controlMode: z.boolean(),
  }),
  agents: z.strictObject({
    command: z
      .string()
      .min(1)
      .max(4096)
      .regex(/^[^\n\r\0]*$/, 'one line')
      .nullable(),
    readyTimeoutSeconds: seconds,
    env: agentEnv,
    acceptApiKey: z.boolean(),
  }),
  // Changes to the built-in agent kinds (apps/agents/kinds/<kind>/kind.yaml), field by field,
  // and kinds of your own.
  agentKinds: z.record(z.string().regex(KIND_NAME, 'a kind name: lowercase letters, digits and -, starting with a letter'), agentKindOverrideSchema),
  logWatcher: z.strictObject({
    intervalSeconds: seconds,
    files: z.array(z.string().min(1)),
    cooldownSeconds: z.number().int().min(0).max(86_400),
    errorPatterns: z.array(regexSource).min(1),
    ignorePatterns: z.array(regexSource),
    diskAlertPercent: z.number().min(1).max(100),
  }),
  healer: z.strictObject({
    intervalSeconds: seconds,
    reinstallOnFailure: z.boolean(),
    maxBuildAttempts: z.number().int().min(1).max(50),
    apiFailuresBeforeRestart: z.number().int().min(1).max(100),
    apiTimeoutSeconds: seconds,
    browserCheck: z.enum(['auto', 'on', 'off']),
    browserPath: z.string().min(1),
    browserIntervalSeconds: seconds,
  }),
  frontend: z.strictObject({ dist: z.string().min(1) }),
  router: z.strictObject({
    unknownRecipientSeconds: seconds,
    busyWaitSeconds: seconds,
    deliveryAttempts: z.number().int().min(1).max(20),
  }),
  webhooks: z.strictObject({
    bodyLimitBytes: z.number().int().min(1024).max(64 * 1024 * 1024),
    sources: z.record(
      z.string().regex(/^[a-z0-9][a-z0-9_-]{0,47}$/, 'a source name is lowercase letters, digits, _ and -'),
      z.strictObject({ secret: z.string().min(8, 'a webhook secret needs at least 8 characters') }),
    ),
  }),
  worktrees: z.strictObject({
    default: z.boolean(),
    dir: z.string().min(1).nullable(),
    branchPrefix: z.string().regex(/^([A-Za-z0-9][A-Za-z0-9._-]{0,40}\/)*[A-Za-z0-9._-]{0,40}$/, 'letters, digits, . _ - and / between parts'),
  }),
  notify: z.strictObject({
    events: z.array(z.enum(['waiting', 'done', 'exited'])),
    minIntervalSeconds: z.number().int().min(0).max(86_400),
    maxPerMinute: z.number().int().min(1).max(600),
    webhook: z.strictObject({
      url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }).nullable(),
      timeoutSeconds: seconds,
      retries: z.number().int().min(0).max(10),
    }),
  }),
  usage: z.strictObject({
    readIntervalSeconds: z.number().int().min(1).max(3_600),
    prices: z.array(priceSchema).max(500),
  }),
  processes: z.strictObject({
    killTimeoutMs: milliseconds,
    readyTimeoutMs: milliseconds,
    stopGraceMs: milliseconds,
  }),
  cluster: clusterInputSchema,
});

// Moments an agent needs a person: a dialog waits for an answer, a turn it was given is done,
// or its program exited on its own.
export type NotifyEvent = 'waiting' | 'done' | 'exited';

export type CmuxConfigInput = z.infer<typeof configInputSchema>;

export type TmuxSocket = { kind: 'name'; name: string } | { kind: 'path'; path: string };

// The resolved configuration every app receives: frozen, paths absolute, nothing optional.
export interface CmuxConfig {
  root: string;
  home: string;
  server: { host: string; port: number; token: string | null; bodyLimitBytes: number; allowedHosts: readonly string[] };
  tmux: { socket: TmuxSocket; session: string; systemWindows: readonly string[]; commandTimeoutMs: number; controlMode: boolean };
  agents: { command: string | null; readyTimeoutMs: number; env: Readonly<Record<string, string>>; acceptApiKey: boolean };
  agentKinds: Readonly<Record<string, AgentKindOverride>>;
  logWatcher: {
    intervalSeconds: number;
    files: readonly string[];
    cooldownMs: number;
    errorPatterns: readonly string[];
    ignorePatterns: readonly string[];
    diskAlertPercent: number;
  };
  healer: {
    intervalSeconds: number;
    reinstallOnFailure: boolean;
    maxBuildAttempts: number;
    apiFailuresBeforeRestart: number;
    apiTimeoutMs: number;
    browserCheck: 'auto' | 'on' | 'off';
    browserPath: string;
    browserIntervalMs: number;
  };
  frontend: { dist: string };
  router: { unknownRecipientMs: number; busyWaitMs: number; deliveryAttempts: number };
  webhooks: { bodyLimitBytes: number; sources: Readonly<Record<string, { secret: string }>> };
  worktrees: { default: boolean; dir: string; branchPrefix: string };
  notify: {
    events: readonly NotifyEvent[];
    minIntervalMs: number;
    maxPerMinute: number;
    webhook: { url: string | null; timeoutMs: number; retries: number };
  };
  usage: { readIntervalSeconds: number; prices: readonly Price[] };
  processes: { killTimeoutMs: number; readyTimeoutMs: number; stopGraceMs: number };
  // null: a single host (no NATS is ever loaded).
  cluster: ClusterConfig | null;
  // The files the configuration was read from, for messages and `cmux doctor`.
  files: { defaults: string; user: string | null; cluster: string | null };
}

// This host as a cluster member, resolved: the hub's url defaults to its own listen address.
export interface ClusterConfig {
  host: string;
  name: string;
  heartbeatMs: number;
  unreachableMs: number;
  maxInFlight: number;
  nats: {
    url: string;
    user: string | null;
    password: string | null;
    token: string | null;
    credsFile: string | null;
    tls: { ca: string | null; cert: string | null; key: string | null };
    privateNetwork: boolean;
  };
  // Set on the host that runs the hub (the PM2 app cmux-nats).
  hub: {
    natsServer: string | null;
    listen: string;
    leafListen: string | null;
    tls: { cert: string | null; key: string | null };
    storeDir: string;
    maxPayloadBytes: number;
    retentionHours: number;
    maxStreamBytes: number;
  } | null;
}
