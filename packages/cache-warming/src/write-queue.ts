// Storage writes per key, in call order: a later write never overtakes an earlier one for the
// same conversation, and a shutdown can wait for all of them.

export interface WriteQueue {
  /** Runs `write` after every write queued before it for `key`; rejects as `write` does. */
  enqueue<T>(key: string, write: () => Promise<T>): Promise<T>;
  /** Resolves once every write queued for `key` so far has finished (failed or not). */
  idle(key: string): Promise<void>;
  /** Resolves once every write queued so far has finished. */
  drain(): Promise<void>;
  /** Keys with a write queued or running. */
  readonly size: number;
}

export function createWriteQueue(): WriteQueue {
  const tails = new Map<string, Promise<void>>();
  return {
    enqueue(key, write) {
      const run = (tails.get(key) ?? Promise.resolve()).then(write);
      const tail = run.then(
        () => {},
        () => {},
      );
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return run;
    },
    idle: (key) => tails.get(key) ?? Promise.resolve(),
    async drain() {
      await Promise.all([...tails.values()]);
    },
    get size() {
      return tails.size;
    },
  };
}
