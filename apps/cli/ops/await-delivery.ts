import { setTimeout as sleep } from 'node:timers/promises';
import type { CmuxConfig } from '../../core/src/config/index.js';
import { CmuxError } from '../../core/src/errors/index.js';
import { openHistory, type StoredMessage } from '../../core/src/history/index.js';
import { warn } from '../output.js';

const POLL_MS = 100;

// Waits until the router has delivered (or dead-lettered) message `id`, telling `notice` why
// it waits when the router says (an agent showing a dialog); CMUX_ERR_NOT_RUNNING when nothing
// happened within `timeoutMs` (the router is not running, or the agent stays busy).
export async function awaitDelivery(config: CmuxConfig, id: string, timeoutMs: number, notice: (line: string) => void = warn): Promise<StoredMessage> {
  const history = openHistory(config.home);
  try {
    const deadline = Date.now() + timeoutMs;
    let told: string | null = null;
    for (;;) {
      const stored = history.get(id);
      if (stored && (stored.status === 'delivered' || stored.status === 'dead')) return stored;
      if (stored?.status === 'queued' && stored.detail && stored.detail !== told) notice((told = stored.detail));
      if (Date.now() >= deadline) {
        throw new CmuxError(
          'CMUX_ERR_NOT_RUNNING',
          `message ${id} is queued but was not delivered within ${timeoutMs / 1000} s (${stored ? `status ${stored.status}` : 'the router has not read it'}): is cmux running (\`npx cmux status\`)?`,
        );
      }
      await sleep(POLL_MS);
    }
  } finally {
    history.close();
  }
}
