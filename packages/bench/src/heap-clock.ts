// A fake clock for 100 000 timers: fake-timers scans every timer on each fire (O(n²) here),
// so the scale benchmark uses this binary heap instead. Cancelled timers are skipped lazily.
import type { TimerDeps } from "@dispatch/cache-warming";

interface Entry {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export function createHeapClock(start: number) {
  let now = start;
  let seq = 0;
  const heap: Entry[] = [];
  const before = (a: Entry, b: Entry) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

  function push(entry: Entry): void {
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Entry, heap[parent] as Entry)) break;
      [heap[i], heap[parent]] = [heap[parent] as Entry, heap[i] as Entry];
      i = parent;
    }
  }

  function pop(): Entry | undefined {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < heap.length && before(heap[l] as Entry, heap[smallest] as Entry)) smallest = l;
        if (r < heap.length && before(heap[r] as Entry, heap[smallest] as Entry)) smallest = r;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest] as Entry, heap[i] as Entry];
        i = smallest;
      }
    }
    return top;
  }

  const byId = new Map<number, Entry>();
  const timers: TimerDeps = {
    setTimer(fn, ms) {
      const entry: Entry = { at: now + ms, seq: seq++, fn, cancelled: false };
      push(entry);
      byId.set(entry.seq, entry);
      return entry.seq;
    },
    clearTimer(id) {
      const entry = byId.get(id);
      if (entry) entry.cancelled = true;
      byId.delete(id);
    },
  };

  return {
    timers,
    now: () => now,
    /** Fires every timer due up to now + ms, letting promise callbacks run between fires. */
    async advance(ms: number): Promise<void> {
      const until = now + ms;
      for (;;) {
        const next = heap[0];
        if (!next || next.at > until) break;
        pop();
        if (next.cancelled) continue;
        now = next.at;
        next.fn();
        await Promise.resolve();
      }
      now = until;
    },
    pending: () => heap.filter((e) => !e.cancelled).length,
  };
}
