import FakeTimers from "@sinonjs/fake-timers";
import { describe, expect, it } from "vitest";
import { createScheduler } from "./scheduler.js";

function setup(batchSize?: number) {
  const clock = FakeTimers.createClock(0);
  let hostTimers = 0;
  const host = {
    setTimer: (fn: () => void, ms: number) => {
      hostTimers += 1;
      return Number(clock.setTimeout(fn, ms));
    },
    clearTimer: (id: number) => clock.clearTimeout(id),
  };
  const scheduler = createScheduler(
    host,
    () => clock.now,
    batchSize === undefined ? {} : { batchSize },
  );
  return { clock, scheduler, hostTimers: () => hostTimers };
}

describe("the scheduler (many timers on one host timer)", () => {
  it("fires each timer once, at its deadline, in deadline order, never a cancelled one", async () => {
    const { clock, scheduler } = setup();
    const fired: Array<[string, number]> = [];
    const at = (name: string, ms: number) =>
      scheduler.setTimer(() => fired.push([name, clock.now]), ms);
    at("c", 300);
    at("a", 100);
    const b = at("b", 200);
    at("a2", 100);
    scheduler.clearTimer(b);
    scheduler.clearTimer(b);
    await clock.tickAsync(99);
    expect(fired).toEqual([]);
    await clock.tickAsync(1_000);
    expect(fired).toEqual([
      ["a", 100],
      ["a2", 100],
      ["c", 300],
    ]);
    expect(scheduler.pending()).toBe(0);
    expect(clock.countTimers()).toBe(0);
  });

  it("holds one host timer however many timers are armed, and re-aims it when the earliest goes", async () => {
    const { clock, scheduler } = setup();
    const ids = Array.from({ length: 1_000 }, (_, i) => scheduler.setTimer(() => {}, 1_000 + i));
    expect(clock.countTimers()).toBe(1);
    scheduler.clearTimer(ids[0] as number);
    expect(clock.countTimers()).toBe(1);
    let fired = 0;
    scheduler.setTimer(() => (fired += 1), 10);
    await clock.tickAsync(10);
    expect(fired).toBe(1);
    expect(clock.countTimers()).toBe(1);
  });

  it("fires due timers in batches, letting the event loop run in between", async () => {
    const { clock, scheduler } = setup(100);
    let fired = 0;
    for (let i = 0; i < 250; i++) scheduler.setTimer(() => (fired += 1), 5);
    clock.tick(5); // one host fire, synchronously: one batch
    expect(fired).toBe(100);
    await clock.tickAsync(10); // the rest on later turns (a 0 ms host timer each)
    expect(fired).toBe(250);
  });

  it("runs the next batch through defer when given (setImmediate in Node)", () => {
    const clock = FakeTimers.createClock(0);
    const deferred: Array<() => void> = [];
    const scheduler = createScheduler(
      {
        setTimer: (fn, ms) => Number(clock.setTimeout(fn, ms)),
        clearTimer: (id) => clock.clearTimeout(id),
      },
      () => clock.now,
      { batchSize: 2, defer: (fn) => deferred.push(fn) },
    );
    let fired = 0;
    for (let i = 0; i < 5; i++) scheduler.setTimer(() => (fired += 1), 1);
    scheduler.setTimer(() => (fired += 100), 50);
    clock.tick(1);
    expect([fired, deferred.length]).toEqual([2, 1]);
    deferred.shift()?.();
    deferred.shift()?.();
    expect([fired, deferred.length]).toEqual([5, 0]);
    clock.tick(49);
    expect(fired).toBe(105);
  });

  it("arms a timer set from inside a fire, and one set for the past fires at once", async () => {
    const { clock, scheduler } = setup();
    const fired: number[] = [];
    scheduler.setTimer(() => {
      fired.push(clock.now);
      scheduler.setTimer(() => fired.push(clock.now), 50);
    }, 20);
    scheduler.setTimer(() => fired.push(clock.now), -5);
    await clock.tickAsync(100);
    expect(fired).toEqual([0, 20, 70]);
  });
});

describe("the scheduler's heap and its host timer", () => {
  it("fires a thousand timers in (deadline, arming order), with many deadlines shared", async () => {
    const { clock, scheduler } = setup(10_000);
    // A fixed, shuffled set of deadlines: 0–49 s, each shared by about 20 timers.
    let seed = 7;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const armed = Array.from({ length: 1_000 }, (_, order) => ({
      order,
      deadline: Math.floor(rand() * 50) * 1_000,
    }));
    const fired: number[] = [];
    const ids = armed.map(({ order, deadline }) =>
      scheduler.setTimer(() => fired.push(order), deadline),
    );
    // Cancel every seventh, wherever it sits in the heap.
    for (let i = 0; i < ids.length; i += 7) scheduler.clearTimer(ids[i] as number);
    await clock.tickAsync(60_000);
    const expected = armed
      .filter(({ order }) => order % 7 !== 0)
      .sort((a, b) => a.deadline - b.deadline || a.order - b.order)
      .map(({ order }) => order);
    expect(fired).toEqual(expected);
  });

  it("leaves the host timer alone for a later timer, a same-deadline one, or a cancelled one behind the first", () => {
    const { scheduler, hostTimers } = setup();
    const first = scheduler.setTimer(() => {}, 1_000);
    expect(hostTimers()).toBe(1);
    scheduler.setTimer(() => {}, 1_000);
    const later = scheduler.setTimer(() => {}, 5_000);
    scheduler.clearTimer(later);
    expect(hostTimers()).toBe(1);
    scheduler.setTimer(() => {}, 500); // earlier: re-aimed
    expect(hostTimers()).toBe(2);
    scheduler.clearTimer(first); // not the earliest any more
    expect(hostTimers()).toBe(2);
  });

  it("re-aims once per deferred batch, not once per timer armed meanwhile", async () => {
    const clock = FakeTimers.createClock(0);
    let hostTimers = 0;
    const deferred: Array<() => void> = [];
    const scheduler = createScheduler(
      {
        setTimer: (fn, ms) => {
          hostTimers += 1;
          return Number(clock.setTimeout(fn, ms));
        },
        clearTimer: (id) => clock.clearTimeout(id),
      },
      () => clock.now,
      { batchSize: 2, defer: (fn) => deferred.push(fn) },
    );
    const fired: number[] = [];
    for (let i = 0; i < 5; i++) scheduler.setTimer(() => fired.push(i), 100);
    await clock.tickAsync(100);
    expect(fired).toEqual([0, 1]);
    expect(deferred).toHaveLength(1);
    // Armed while a batch waits: the batch aims the host timer when it is done.
    scheduler.setTimer(() => fired.push(9), 0);
    expect(hostTimers).toBe(1);
    deferred.shift()?.();
    deferred.shift()?.();
    expect(fired).toEqual([0, 1, 2, 3, 4, 9]);
    expect(deferred).toHaveLength(0);
    expect(clock.countTimers()).toBe(0);
  });
});

describe("the scheduler against a sorted-list reference", () => {
  it("fires exactly what a sorted list of live deadlines says, under random set/cancel/advance", async () => {
    const fc = await import("fast-check");
    fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant("set" as const), ms: fc.integer({ min: 0, max: 500 }) }),
            fc.record({ op: fc.constant("cancel" as const), pick: fc.nat() }),
            fc.record({
              op: fc.constant("advance" as const),
              ms: fc.integer({ min: 0, max: 300 }),
            }),
          ),
          { maxLength: 60 },
        ),
        fc.integer({ min: 1, max: 8 }),
        async (steps, batchSize) => {
          const { clock, scheduler } = setup(batchSize);
          // The reference: live timers by name, with their deadlines.
          const live = new Map<number, number>();
          const fired: Array<[number, number]> = [];
          const expected: Array<[number, number]> = [];
          let name = 0;
          const ids = new Map<number, number>();
          const expectUpTo = (t: number) => {
            const due = [...live]
              .filter(([, at]) => at <= t)
              .sort((a, b) => a[1] - b[1] || a[0] - b[0]);
            for (const [n, at] of due) {
              expected.push([n, at]);
              live.delete(n);
            }
          };
          for (const step of steps) {
            if (step.op === "set") {
              const n = name++;
              live.set(n, clock.now + step.ms);
              ids.set(
                n,
                scheduler.setTimer(() => fired.push([n, clock.now]), step.ms),
              );
            } else if (step.op === "cancel") {
              const names = [...ids.keys()];
              const n = names[step.pick % Math.max(1, names.length)];
              if (n === undefined) continue;
              scheduler.clearTimer(ids.get(n) as number);
              live.delete(n);
            } else {
              expectUpTo(clock.now + step.ms);
              await clock.tickAsync(step.ms);
            }
          }
          expectUpTo(Number.POSITIVE_INFINITY);
          await clock.tickAsync(10_000);
          // Same timers, same order, each at its deadline: never late, never twice, never cancelled.
          expect(fired).toEqual(expected);
          expect(scheduler.pending()).toBe(0);
        },
      ),
      { numRuns: 300, seed: 20261201 },
    );
  });
});

describe("the scheduler under load", () => {
  it("runs one batch at a time when thousands of due callbacks arm new timers", async () => {
    const clock = FakeTimers.createClock(0);
    const deferred: Array<() => void> = [];
    let hostArms = 0;
    const host = {
      setTimer: (fn: () => void, ms: number) => {
        hostArms += 1;
        return Number(clock.setTimeout(fn, ms));
      },
      clearTimer: (id: number) => clock.clearTimeout(id),
    };
    const scheduler = createScheduler(host, () => clock.now, {
      batchSize: 64,
      defer: (fn) => deferred.push(fn),
    });
    let fired = 0;
    for (let i = 0; i < 6_000; i++) {
      scheduler.setTimer(() => {
        fired += 1;
        // Each warm arms its timeout, as the warmer's do.
        scheduler.setTimer(() => {}, 30_000);
      }, 1_000);
    }
    await clock.tickAsync(1_000);
    const armsAfterFirstBatch = hostArms;
    let maxDeferred = deferred.length;
    while (deferred.length > 0) {
      maxDeferred = Math.max(maxDeferred, deferred.length);
      (deferred.shift() as () => void)();
    }
    expect(fired).toBe(6_000);
    expect(maxDeferred).toBe(1);
    // The host timer is aimed again once, when the last batch is done (at the timeouts).
    expect(hostArms - armsAfterFirstBatch).toBe(1);
    expect(clock.countTimers()).toBe(1);
  });

  it("keeps firing the rest when a callback throws", async () => {
    const { clock, scheduler } = setup(2);
    const fired: number[] = [];
    scheduler.setTimer(() => {
      throw new Error("boom");
    }, 10);
    for (let i = 0; i < 3; i++) scheduler.setTimer(() => fired.push(i), 10);
    await clock.tickAsync(10).catch(() => {});
    await clock.tickAsync(10);
    expect(fired).toEqual([0, 1, 2]);
  });
});
