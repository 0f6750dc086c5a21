import { setTimeout as sleep } from 'node:timers/promises';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { CmuxError, isCmuxError } from '../../core/src/errors/index.js';
import { openHistory, type HistoryStore, type StoredMessage } from '../../core/src/history/index.js';
import type { MailboxMessage } from '../../core/src/mailbox/index.js';
import { postEvent } from '../../core/src/server-client/index.js';
import { warn } from '../output.js';
import { serverOpsFor } from '../remote-ops.js';

const POLL_MS = 100;
// How long a message the router is typing when the wait runs out may take to be typed: the
// typing lock's longest act (a large paste, the screen settling, Enter retries, the hook).
const TYPING_WAIT_MS = 60_000;

// Waits until the router has delivered (or dead-lettered) `message`, telling `notice` why it
// waits when the router says (an agent showing a dialog). A wait that runs out takes the
// message back, so a send that failed never arrives later (a retry would arrive twice):
// CMUX_ERR_DELIVERY_TIMEOUT says so. A message being typed at that moment can no longer be
// taken back: the wait goes on until it is typed. A message to another host's agent that has
// left this host is taken back there, through this host's server; a host that does not answer
// cannot give it back (it is typed once that host is back).
export async function awaitDelivery(config: CmuxConfig, message: MailboxMessage, timeoutMs: number, notice: (line: string) => void = warn): Promise<StoredMessage> {
  const history = openHistory(config.home);
  const { id, to } = message;
  try {
    let deadline = Date.now() + timeoutMs;
    let told: string | null = null;
    let typing = false;
    for (;;) {
      const stored = history.get(id);
      if (stored && (stored.status === 'delivered' || stored.status === 'dead')) return stored;
      if (stored?.status === 'queued' && stored.detail && stored.detail !== told) notice((told = stored.detail));
      if (Date.now() >= deadline) {
        if (typing) throw new CmuxError('CMUX_ERR_DELIVERY_TIMEOUT', `message ${id} was still being typed into ${to} ${TYPING_WAIT_MS / 1000} s after the wait ran out: see \`cmux logs cmux-router\``);
        const why = stored === null ? 'the router has not read it: is cmux-router running (`cmux status`)?' : stored.detail ?? `${to} was not ready for it`;
        const now = await withdraw(config, history, message, stored !== null, `withdrawn: not delivered within ${timeoutMs / 1000} s (${why})`, timeoutMs);
        if (now.status === 'withdrawn') {
          void postEvent(config, 'message_status', { id, from: message.from, to, status: now.status, detail: now.detail });
          throw new CmuxError(
            'CMUX_ERR_DELIVERY_TIMEOUT',
            `message ${id} was not delivered to ${to} within ${timeoutMs / 1000} s (${why}); it was withdrawn and will not be typed: send it again when ${to} is ready, or with a longer --timeout`,
            { context: { id, to } },
          );
        }
        if (now.status === 'delivering') {
          notice(`message ${id} is being typed into ${to} right now, so it can no longer be withdrawn: waiting until it is in`);
          typing = true;
          deadline = Date.now() + TYPING_WAIT_MS;
        }
        continue;
      }
      await sleep(POLL_MS);
    }
  } finally {
    history.close();
  }
}

async function withdraw(config: CmuxConfig, history: HistoryStore, message: MailboxMessage, left: boolean, detail: string, timeoutMs: number): Promise<Pick<StoredMessage, 'status' | 'detail'>> {
  const remote = left ? serverOpsFor(config, message.to) : null;
  if (!remote) return history.withdraw(message, detail);
  try {
    return await remote.ops.withdraw({ message, detail });
  } catch (error) {
    if (!isCmuxError(error)) throw error;
    throw new CmuxError(
      'CMUX_ERR_DELIVERY_TIMEOUT',
      `message ${message.id} was not delivered to ${message.to} within ${timeoutMs / 1000} s, and it could not be taken back (${error.message}): it is typed once host ${remote.host} takes it; \`cmux mail read --agent ${message.to}\` shows where it stands`,
      { context: { id: message.id, to: message.to } },
    );
  }
}
