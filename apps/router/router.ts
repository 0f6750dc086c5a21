import { existsSync, watch as fsWatch, type FSWatcher as NodeFSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { agentId } from '../core/src/agents/index.js';
import type { CmuxConfig } from '../core/src/config/index.js';
import { openHistory, type DeliveryStatus, type HistoryStore } from '../core/src/history/index.js';
import { createSerialQueue } from '../core/src/input/index.js';
import { once, type AppHandle } from '../core/src/lifecycle/index.js';
import type { Logger } from '../core/src/log/index.js';
import { agentOf, MAX_LINE_BYTES, type MailboxMessage } from '../core/src/mailbox/index.js';
import { homePaths } from '../core/src/paths/index.js';
import { postEvent } from '../core/src/server-client/index.js';
import { createAgentDeps } from '../agents/index.js';
import { createDeadLetters, type DeadLetter } from './dead-letters.js';
import { deliverToAgent, heldNote, type AgentDeliveryContext } from './deliver-agent.js';
import { createHolds } from './holds/index.js';
import { holdSources } from './holds/sources.js';
import { readNewLines, type MailboxCursor } from './mailbox-reader.js';
import { parseLine } from './parse-line.js';
import { loadCursor, saveCursor } from './state.js';
import { createMailTransport, type DeliveryOutcome, type MailTransport } from './transport/index.js';

// chokidar reports at most one change per 50 ms and none after the last, so every event is
// followed by a re-read a little later, and a slow poll catches anything else.
const TRAILING_READ_MS = 75;
const SAFETY_POLL_MS = 1_000;
// The cursor is saved at most this often: it only spares a restarted router re-reading lines it
// stored already (the history skips them by id), and an fsynced replace at every line cost the
// router more than typing at 20 messages a second.
const CURSOR_SAVE_MS = 1_000;
const STOP_WAIT_MS = 3_000;

// The cmux-router app: reads every complete mailbox line once, stores it in the history (by
// id, so a re-read line is harmless), and delivers it: to the user by storing and notifying
// the dashboards, to an agent by typing it in, in order per agent. What cannot be parsed or
// delivered goes to mailbox.dead.jsonl and the supervisor hears of it. Mail to and from other
// hosts of a cluster travels through its transport (./transport).
export function createRouter(config: CmuxConfig, logger: Logger): AppHandle {
  const { home } = config;
  const mailbox = homePaths(home).mailbox;
  const deps = createAgentDeps(config, logger, { control: true });
  const deadLetters = createDeadLetters(home, logger);
  const queue = createSerialQueue();
  // Made at start: sources may watch files or timers.
  let holds: ReturnType<typeof createHolds> | undefined;
  let history: HistoryStore | undefined;
  let cursor: MailboxCursor = { inode: 0, offset: 0 };
  let watcher: FSWatcher | undefined;
  let poll: NodeJS.Timeout | undefined;
  let trailing: NodeJS.Timeout | undefined;
  let cursorSave: NodeJS.Timeout | undefined;
  let awaiting: NodeFSWatcher | undefined;
  let draining: Promise<void> | null = null;
  // The last reading error, said once rather than at every poll while it lasts.
  let failing: string | null = null;
  let again = false;
  let stopping = false;
  let transport: MailTransport | undefined;

  const isStopping = () => stopping;

  // Delivers a stored message: to the user by telling the dashboards, to one of this host's
  // agents by typing it in, in turn. Another host's agent is that host's to deliver to.
  function dispatch(message: MailboxMessage, recovering = false): void {
    void postEvent(config, 'message', message);
    const target = message.replyTo ? null : agentOf(message.to);
    if (target?.host) return;
    if (!target) {
      logger.info(`delivered ${message.id} ${message.from} -> ${message.to} in ${Date.now() - Date.parse(message.ts)} ms`);
      transport!.settled(message, 'delivered');
      return;
    }
    logger.info(`queued ${message.id} ${message.from} -> ${message.to}`);
    const onStatus = (status: DeliveryStatus, detail: string | null) => transport!.status(message, status, detail);
    const id = agentId(target.session ?? config.tmux.session, target.name, config.tmux.session);
    const ctx: AgentDeliveryContext = { deps, history: history!, deadLetters, logger, isStopping, onStatus, holds: holds! };
    const held = heldNote(ctx, message);
    const hold = recovering ? null : holds!.holdOf(id);
    if (hold) held.note(hold);
    void queue
      .run(id, () => deliverToAgent(ctx, id, message, recovering, held))
      .then(
        (outcome: DeliveryOutcome) => transport!.settled(message, outcome),
        (error: unknown) => logger.error(`delivery of ${message.id} to ${message.to} failed: ${(error as Error).message}`),
      );
  }

  function initialStatus(message: MailboxMessage): DeliveryStatus | string {
    if (message.to === 'user') return 'delivered';
    const agent = agentOf(message.to);
    if (agent?.host) return transport!.remote(message) ?? 'queued';
    if (agent) return message.replyTo ? 'delivered' : 'queued';
    return `${message.to} takes no messages: address the user or an agent`;
  }

  // A message from another host, stored and delivered as a line of this mailbox would be.
  async function receive(message: MailboxMessage): Promise<'new' | 'dead' | 'known'> {
    const status = initialStatus(message);
    const accepted = status === 'delivered' || status === 'queued';
    if (!history!.insert(message, accepted ? status : 'dead')) return 'known';
    if (accepted) {
      dispatch(message);
      return 'new';
    }
    const line = JSON.stringify(message);
    await deadLetters.add({ reason: status, line, bytes: Buffer.byteLength(line), id: message.id, from: message.from, to: message.to });
    return 'dead';
  }

  async function drainOnce(): Promise<void> {
    for (;;) {
      const result = readNewLines(home, mailbox, cursor);
      if (result.reset) logger.warn(`the mailbox was ${result.reset}; reading it again from the start (stored ids are skipped)`);
      const accepted: Array<{ message: MailboxMessage; status: DeliveryStatus }> = [];
      const rejected: DeadLetter[] = [];
      for (const line of result.lines) {
        if (line.kind === 'oversized') {
          rejected.push({ reason: `line of ${line.bytes} bytes is longer than ${MAX_LINE_BYTES}`, line: line.head, bytes: line.bytes });
          continue;
        }
        if (line.text.trim() === '') continue;
        const parsed = parseLine(line.text, transport!.self);
        if (typeof parsed === 'string') {
          rejected.push({ reason: parsed, line: line.text, bytes: Buffer.byteLength(line.text) });
          continue;
        }
        const status = initialStatus(parsed);
        if (status === 'delivered' || status === 'queued') accepted.push({ message: parsed, status });
        else {
          accepted.push({ message: parsed, status: 'dead' });
          rejected.push({ reason: status, line: line.text, bytes: Buffer.byteLength(line.text), id: parsed.id, from: parsed.from, to: parsed.to });
        }
      }
      const fresh = new Set(history!.insertMany(accepted).map((m) => m.id));
      // Stored, so handed on now: whatever fails below, a re-read finds them stored and skips them.
      for (const { message, status } of accepted) if (status !== 'dead' && fresh.has(message.id)) dispatch(message);
      for (const letter of rejected) if (!letter.id || fresh.has(letter.id)) await deadLetters.add(letter);
      const moved = result.cursor.offset !== cursor.offset || result.cursor.inode !== cursor.inode;
      cursor = result.cursor;
      if (moved) cursorSave ??= setTimeout(saveCursorOrSay, CURSOR_SAVE_MS);
      if (result.lines.length > 0) transport!.wake();
      if (result.lines.length === 0) return;
    }
  }

  // The saved cursor only spares a restarted router re-reading what it stored already: a failure
  // to save it (a full disk, a link planted in its place) is said, and routing goes on.
  function saveCursorOrSay(): void {
    clearTimeout(cursorSave);
    cursorSave = undefined;
    try {
      saveCursor(home, cursor);
    } catch (error) {
      logger.error(`could not save the mailbox cursor: ${(error as Error).message}`);
    }
  }

  function drain(): Promise<void> {
    if (draining) {
      again = true;
      return draining;
    }
    draining = (async () => {
      do {
        again = false;
        await drainOnce();
      } while (again && !stopping);
      failing = null;
    })()
      .catch((error: unknown) => {
        if ((error as Error).message !== failing) logger.error(`reading the mailbox failed: ${(error as Error).message}`, { error });
        failing = (error as Error).message;
      })
      .finally(() => (draining = null));
    return draining;
  }

  function onChange(): void {
    void drain();
    clearTimeout(trailing);
    trailing = setTimeout(() => void drain(), TRAILING_READ_MS);
  }

  // Watched once it exists: chokidar watches a missing file through its folder, and would then
  // read the whole of CMUX_HOME again (a stat of every entry) whenever any file in it changed —
  // a lock taken, a state file saved — for as long as the router runs. Until it exists (and
  // after it is removed) a plain watch of the folder, which reads nothing, waits for its name.
  function watchMailbox(): void {
    if (watcher || stopping) return;
    if (!existsSync(mailbox)) {
      awaiting ??= awaitMailbox();
      return;
    }
    awaiting?.close();
    awaiting = undefined;
    const current = watch(mailbox, { ignoreInitial: true, persistent: true });
    current.on('change', onChange).on('unlink', () => {
      if (watcher === current) watcher = undefined;
      void current.close();
      watchMailbox();
      onChange();
    });
    current.on('error', (error) => logger.error(`watching the mailbox failed: ${(error as Error).message}`));
    watcher = current;
  }

  // Null when the folder cannot be watched: the safety poll finds the mailbox then.
  function awaitMailbox(): NodeFSWatcher | undefined {
    try {
      const folder = fsWatch(dirname(mailbox), (_event, name) => {
        if (name !== basename(mailbox)) return;
        watchMailbox();
        onChange();
      });
      folder.on('error', () => {
        folder.close();
        if (awaiting === folder) awaiting = undefined;
      });
      return folder;
    } catch {
      return undefined;
    }
  }

  return {
    async start() {
      history = openHistory(home);
      holds = createHolds(holdSources(config, logger), config.router.holdMarginMs);
      cursor = loadCursor(home, logger);
      transport = await createMailTransport(config, logger);
      await deadLetters.resume();
      // Another host's agents' messages wait for that host's word, not for this router.
      const pending = history.pending().filter((m) => !agentOf(m.to)?.host);
      if (pending.length > 0) logger.info(`resuming ${pending.length} undelivered message(s)`);
      for (const message of pending) dispatch(message, message.status === 'delivering');
      await transport.start({ config, logger, history, deadLetters, cursor: () => cursor, receive });
      await drain();
      watchMailbox();
      poll = setInterval(() => {
        watchMailbox();
        void drain();
      }, SAFETY_POLL_MS);
    },
    stop: once(async () => {
      stopping = true;
      clearInterval(poll);
      clearTimeout(trailing);
      awaiting?.close();
      await watcher?.close();
      await draining;
      if (cursorSave) saveCursorOrSay();
      // Held deliveries end at once, deferred: their messages stay queued for the next router.
      holds?.stop();
      await Promise.race([queue.idle(), new Promise((r) => setTimeout(r, STOP_WAIT_MS))]);
      await transport?.stop();
      await deadLetters.flush();
      await deps.tmux.close();
      history?.close();
    }),
  };
}
