// Runs tasks one at a time per key and different keys in parallel: messages to one agent
// keep their order, and a slow agent never holds up another.
export function createSerialQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const next = previous.then(task, task);
      const settled = next.catch(() => undefined);
      tails.set(key, settled);
      void settled.then(() => {
        if (tails.get(key) === settled) tails.delete(key);
      });
      return next;
    },
    // How many keys have work queued or running.
    get busyKeys(): number {
      return tails.size;
    },
    // Resolves when everything queued so far has finished.
    async idle(): Promise<void> {
      while (tails.size > 0) await Promise.all(tails.values());
    },
  };
}

export type SerialQueue = ReturnType<typeof createSerialQueue>;
