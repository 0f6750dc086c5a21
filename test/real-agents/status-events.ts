import assert from 'node:assert/strict';
import type { apiClient } from '../helpers/api.ts';
import { eventually } from '../helpers/tmux.ts';

// Busy and idle from a real CLI's own hook events alone (its kind's screen rules off for the
// status: `agentKinds.<kind>.statusFromScreen: false`), checked against the events cmux
// recorded (GET /api/agent-events) and against the fake API's answer.

const IDLE_AFTER_ANSWER_MS = 2_000;
// How soon the status follows one of the program's own events.
const STATUS_AFTER_EVENT_MS = 500;

export interface EventsProbe {
  api: ReturnType<typeof apiClient>;
  agent: string;
  // The program's hook events that start and end a turn (its kind's adapter reads them).
  turnEvents: { start: string; end: string };
  send(text: string): Promise<void>;
  // When the fake finished answering the prompt that holds `marker` (undefined until it did).
  answerEnded(marker: string): number | undefined;
  prompts(): string[];
}

interface Listed {
  id: string;
  status: string;
  statusSince: string;
}

// The agent's events recorded at or after `after` (ms), newest first, with their times.
export async function eventsSince(api: EventsProbe['api'], agent: string, after: number) {
  const events = (await api.call<Array<{ event: string; at: string }>>('GET', `/api/agent-events?agent=${agent}&limit=50`)).body;
  return events.map((e) => ({ ...e, ms: Date.parse(e.at) })).filter((e) => e.ms >= after);
}

// The agent's latest event `name` recorded at or after `after` (ms).
export async function eventAt(api: EventsProbe['api'], agent: string, name: string, after: number) {
  return (await eventsSince(api, agent, after)).find((e) => e.event === name);
}

// Sends a prompt the fake answers after 4 s: busy within 500 ms of the turn's first event, idle
// within 500 ms of its last, and idle only once the answer ended (nothing but the event set it).
export async function checkStatusFollowsEvents(probe: EventsProbe): Promise<void> {
  const { api, agent: id, turnEvents } = probe;
  const agent = async () => (await api.call<Listed[]>('GET', '/api/agents')).body.find((a) => a.id === id)!;
  const asked = Date.now();
  await probe.send('Think it over. DELAY 4000');
  const busy = await eventually(agent, (a) => a.status === 'busy', 20_000);
  const started = await eventually(() => eventAt(api, id, turnEvents.start, asked), Boolean, 10_000);
  const busySince = Date.parse(busy.statusSince);
  assert.ok(Math.abs(busySince - started!.ms) <= STATUS_AFTER_EVENT_MS, `busy ${busySince - started!.ms} ms after ${turnEvents.start}`);
  const answered = await eventually(async () => probe.answerEnded('Think it over.'), Boolean, 30_000);
  const idle = await eventually(agent, (a) => a.status === 'idle', 30_000);
  const ended = await eventually(() => eventAt(api, id, turnEvents.end, busySince), Boolean, 10_000);
  const idleSince = Date.parse(idle.statusSince);
  assert.ok(Math.abs(idleSince - ended!.ms) <= STATUS_AFTER_EVENT_MS, `idle ${idleSince - ended!.ms} ms after ${turnEvents.end}`);
  assert.ok(idleSince >= answered!, 'idle only once the answer ended: nothing but the event set it');
  assert.ok(idleSince - answered! < IDLE_AFTER_ANSWER_MS + 1_000, `idle ${idleSince - answered!} ms after the answer ended`);
  assert.deepEqual(probe.prompts().slice(-1), ['Think it over. DELAY 4000']);
}
