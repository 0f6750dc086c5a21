import { statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterConfig, CmuxConfig } from '../../core/src/config/index.js';
import { readHomeFile } from '../../core/src/fs/index.js';
import type { HistoryStore } from '../../core/src/history/index.js';
import type { Logger } from '../../core/src/log/index.js';
import { agentOf, qualifyMessage, withoutHost, type MailboxMessage } from '../../core/src/mailbox/index.js';
import { homePaths } from '../../core/src/paths/index.js';
import { postEvent } from '../../core/src/server-client/index.js';
import { namesOf } from '../../cluster/names.js';
import type { NatsLink } from '../../cluster/nats/link.js';
import type { WireMessage } from '../../cluster/wire.js';
import type { DeadLetters } from '../dead-letters.js';
import { readNewLines, type MailboxCursor } from '../mailbox-reader.js';
import { parseLine } from '../parse-line.js';
import { loadCursor, saveCursor } from '../state.js';

const POLL_MS = 1_000;
const SAVE_EVERY_MS = 200;
const RETRY_MS = [250, 500, 1_000, 2_000, 5_000];
const PUBLISH_TIMEOUT_MS = 5_000;
// Before the hub has said how large a message it takes (the server's own default).
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

export interface ForwarderDeps {
  config: CmuxConfig;
  cluster: ClusterConfig;
  link: NatsLink;
  logger: Logger;
  history: HistoryStore;
  deadLetters: DeadLetters;
  // How far the router has read (and stored) the mailbox.
  routerCursor(): MailboxCursor;
}

// Carries this host's mailbox into the cluster's stream: the file is the outbox. Every complete
// line, in file order, from a cursor of its own (state/forwarder.json): a message for another
// host's agent to that host's mail subject, anything else as a copy for the other hosts'
// histories. One at a time, each with its id as Nats-Msg-Id, the cursor moving only past what
// the hub acknowledged: a line sent again (a lost acknowledgement, a forwarder that died after
// one) is stored once, and no line overtakes an earlier one (the client drops what it buffered
// at a reconnect, so two in flight could be stored out of order). Local delivery never waits
// for any of this: the router reads the same file on its own cursor, and the forwarder follows
// it, so what leaves is in this host's history first, and a message its sender withdrew before
// it left never does.
export function createForwarder(deps: ForwarderDeps) {
  const { cluster, link, logger, history, deadLetters } = deps;
  const { home } = deps.config;
  const names = namesOf(cluster);
  const self = cluster.host;
  const mailbox = homePaths(home).mailbox;
  let cursor = loadCursor(home, logger, 'forwarder', deps.routerCursor());
  let stopping = false;
  let wakeUp: (() => void) | null = null;
  let woken = false;
  let savedAt = 0;
  let unsaved = false;

  const save = (force: boolean) => {
    if (!unsaved || (!force && Date.now() - savedAt < SAVE_EVERY_MS)) return;
    saveCursor(home, cursor, 'forwarder');
    savedAt = Date.now();
    unsaved = false;
  };

  // The line as it travels: addresses qualified; for another host's agent an attachment goes
  // with it (its path means nothing there); a copy only points at it.
  function wireFor(message: MailboxMessage, toAnotherHost: boolean): WireMessage {
    const wire: WireMessage = qualifyMessage(message, self);
    const { bodyFile } = message;
    if (!bodyFile) return wire;
    const { bodyFile: _path, ...rest } = wire;
    if (toAnotherHost) {
      try {
        const content = readHomeFile(home, bodyFile);
        if (content !== null) return { ...rest, attachment: { content } };
      } catch (error) {
        logger.warn(`cluster: the attachment of ${message.id} (${bodyFile}) is unreadable: ${(error as Error).message}`);
      }
    }
    return { ...rest, body: `(The full message is on host ${self}: ${bodyFile})` };
  }

  // Publishes one line until the hub has it (or the forwarder stops): false when stopped.
  async function publish(subject: string, payload: string, id: string): Promise<boolean> {
    for (let attempt = 0; !stopping; attempt++) {
      try {
        const nc = await link.whenUp(() => stopping);
        if (!nc) return false;
        await link.lib.jetstream.jetstream(nc, { timeout: PUBLISH_TIMEOUT_MS }).publish(subject, payload, { msgID: id, timeout: PUBLISH_TIMEOUT_MS });
        return true;
      } catch (error) {
        if (attempt === 0 || attempt % 20 === 0) logger.warn(`cluster: forwarding ${id} waits for the hub (${(error as Error).message})`);
        await sleep(RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!);
      }
    }
    return false;
  }

  // A message to another host that the hub would refuse: dead here, with the reason.
  async function tooLarge(message: MailboxMessage, bytes: number): Promise<void> {
    const reason = `${bytes} bytes is too large for the cluster (cluster.hub.maxPayloadBytes)`;
    if (history.setStatus(message.id, 'dead', reason)) {
      void postEvent(deps.config, 'message_status', { id: message.id, from: message.from, to: message.to, status: 'dead', detail: reason });
      const line = JSON.stringify({ ...message, body: undefined });
      await deadLetters.add({ reason, line, bytes: Buffer.byteLength(line), id: message.id, from: message.from, to: message.to });
    }
  }

  async function forwardOnce(): Promise<boolean> {
    if (!link.connected()) return false;
    const result = readNewLines(home, mailbox, cursor);
    if (result.reset) logger.warn(`cluster: the mailbox was ${result.reset}; forwarding it again from the start (the hub and the receivers drop what they have)`);
    const router = deps.routerCursor();
    const readable = (end: number) => router.inode === result.cursor.inode && end <= router.offset;
    for (const line of result.lines) {
      if (stopping) return false;
      // The router has not stored it yet: it wakes the forwarder when it has.
      if (!readable(line.end)) {
        save(true);
        return false;
      }
      const message = line.kind === 'line' && line.text.trim() !== '' ? parseLine(line.text, self) : null;
      if (message !== null && typeof message !== 'string') {
        const remote = agentOf(message.to)?.host ?? null;
        const withdrawn = remote !== null && history.get(message.id)?.status === 'withdrawn';
        const subject = remote ? names.mail(remote, withoutHost(message.to), self) : names.copy(self);
        let payload = JSON.stringify(wireFor(message, remote !== null));
        const limit = (await link.whenUp(() => stopping))?.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
        const bytes = Buffer.byteLength(payload);
        if (withdrawn) logger.info(`cluster: ${message.id} to ${message.to} was withdrawn before it left`);
        else if (bytes > limit && remote) await tooLarge(message, bytes);
        else {
          if (bytes > limit) payload = JSON.stringify({ ...qualifyMessage(message, self), bodyFile: undefined, body: '(too large to copy to other hosts)' });
          if (!(await publish(subject, payload, message.id))) return false;
        }
      }
      cursor = { inode: result.cursor.inode, offset: line.end };
      unsaved = true;
      save(false);
    }
    cursor = result.cursor;
    unsaved = true;
    save(true);
    return result.lines.length > 0;
  }

  const done = (async () => {
    while (!stopping) {
      try {
        if (await forwardOnce()) continue;
      } catch (error) {
        logger.error(`cluster: forwarding the mailbox failed: ${(error as Error).message}`, { error });
      }
      if (stopping) break;
      if (!woken) await Promise.race([new Promise<void>((resolve) => (wakeUp = resolve)), sleep(POLL_MS)]);
      woken = false;
      wakeUp = null;
    }
    save(true);
  })();

  return {
    wake(): void {
      woken = true;
      wakeUp?.();
    },
    // Whether every line the file holds now has been handed to the hub.
    caughtUp(): boolean {
      try {
        return statSync(mailbox).size <= cursor.offset;
      } catch {
        return true;
      }
    },
    async stop(): Promise<void> {
      stopping = true;
      wakeUp?.();
      await Promise.race([done, sleep(3_000)]);
    },
  };
}
