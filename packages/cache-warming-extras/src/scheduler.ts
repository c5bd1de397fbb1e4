// Extra: many timers on one: a deadline heap behind upstream's `TimerDeps`, so the warmer (which arms
// one timer per conversation) runs unchanged while the host holds a single timer. Due timers
// fire in bounded batches; between batches the event loop gets to I/O, so a burst of 10 000
// due warms cannot hold up the others' timers or the HTTP server for long.
import type { TimerDeps } from "@dispatch/cache-warming";

export interface SchedulerOptions {
  /** Timers fired per turn of the event loop; the rest run on the next turn. */
  readonly batchSize?: number;
  /**
   * Runs the next batch after pending I/O (`setImmediate` in Node). Without it the next
   * batch waits for a 0 ms host timer, which Node rounds up to 1 ms.
   */
  readonly defer?: (fn: () => void) => void;
}

export const DEFAULT_BATCH_SIZE = 64;

/**
 * Returns a `TimerDeps` whose timers share one host timer from `host`. A timer is due when
 * `now()` reaches its deadline; fake clocks drive it like any other timer.
 */
export function createScheduler(
  host: TimerDeps,
  now: () => number,
  options: SchedulerOptions = {},
): TimerDeps & { readonly pending: () => number } {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  // A binary min-heap of ids, ordered by (deadline, id); deadlines and callbacks by id.
  const heap: number[] = [];
  const deadlines = new Map<number, number>();
  const callbacks = new Map<number, () => void>();
  let nextId = 1;
  let hostTimer: number | null = null;
  let hostDeadline = Number.POSITIVE_INFINITY;
  // A batch is running or deferred: it aims the host timer when it is done, so timers armed
  // by its callbacks (every warm arms its timeout) never re-aim it or start another batch.
  let batchPending = false;

  const before = (a: number, b: number) => {
    const da = deadlines.get(a) ?? 0;
    const db = deadlines.get(b) ?? 0;
    return da < db || (da === db && a < b);
  };

  function siftUp(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as number, heap[parent] as number)) break;
      [heap[i], heap[parent]] = [heap[parent] as number, heap[i] as number];
      i = parent;
    }
  }

  function siftDown(index: number): void {
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left] as number, heap[smallest] as number))
        smallest = left;
      if (right < heap.length && before(heap[right] as number, heap[smallest] as number))
        smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest] as number, heap[i] as number];
      i = smallest;
    }
  }

  function popTop(): number | undefined {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      siftDown(0);
    }
    return top;
  }

  /** Drops cancelled ids from the top, so the top is the next live deadline. */
  function cleanTop(): void {
    while (heap.length > 0 && !callbacks.has(heap[0] as number)) {
      deadlines.delete(popTop() as number);
    }
  }

  /** Keeps the one host timer aimed at the earliest live deadline. */
  function aim(): void {
    if (batchPending) return; // the deferred batch aims when it is done
    cleanTop();
    const top = heap[0];
    const deadline = top === undefined ? Number.POSITIVE_INFINITY : (deadlines.get(top) ?? 0);
    if (deadline === hostDeadline && hostTimer !== null) return;
    if (hostTimer !== null) host.clearTimer(hostTimer);
    hostTimer = null;
    hostDeadline = deadline;
    if (top === undefined) return;
    hostTimer = host.setTimer(fire, Math.max(0, deadline - now()));
  }

  function fire(): void {
    hostTimer = null;
    hostDeadline = Number.POSITIVE_INFINITY;
    batchPending = true;
    try {
      runBatch(now());
    } finally {
      // Even after a callback threw, the rest still fire: the next batch is always set up.
      afterBatch();
    }
  }

  function runBatch(current: number): void {
    for (let fired = 0; fired < batchSize; ) {
      cleanTop();
      const top = heap[0];
      if (top === undefined || (deadlines.get(top) ?? 0) > current) break;
      popTop();
      const callback = callbacks.get(top);
      callbacks.delete(top);
      deadlines.delete(top);
      fired += 1;
      callback?.();
    }
  }

  function afterBatch(): void {
    cleanTop();
    const next = heap[0];
    if (options.defer && next !== undefined && (deadlines.get(next) ?? 0) <= now()) {
      options.defer(fire);
      return;
    }
    batchPending = false;
    aim();
  }

  return {
    setTimer(fn, ms) {
      const id = nextId++;
      deadlines.set(id, now() + Math.max(0, ms));
      callbacks.set(id, fn);
      heap.push(id);
      siftUp(heap.length - 1);
      if ((deadlines.get(id) ?? 0) < hostDeadline) aim();
      return id;
    },
    clearTimer(id) {
      if (!callbacks.delete(id)) return;
      // The heap keeps the id (and its deadline, its key there) until it reaches the top,
      // where it is dropped; by then its deadline has passed.
      if (heap[0] === id) aim();
    },
    pending: () => callbacks.size,
  };
}
