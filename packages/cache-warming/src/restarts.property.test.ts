// Restarts as a model test: random sequences of settings, turns, time, failing providers and
// restarts (clean, or a crash that keeps only what was already written), against a reference
// that counts what the settings allow. Every provider call is money: none may be more than the
// settings asked for, across any restart, and every acknowledged setting survives.
import { createMemoryStorage } from "@dispatch/kv-storage";
import FakeTimers from "@sinonjs/fake-timers";
import fc from "fast-check";
import { expect, it } from "vitest";
import { type CacheWarmer, createCacheWarmer } from "./index.js";
import { DEFAULT_PRICES, STANDARD_RULES } from "./modules/index.js";
import { setSpendLimits } from "./modules/spend-limits.js";
import { HIT, START, silentLogger } from "./testing/harness.js";
import type { WarmOutcome } from "./warm-service.js";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const SEED = Number(process.env.PROPERTY_SEED ?? 20261202);
const IDS = ["a", "b"] as const;
type Id = (typeof IDS)[number];

type Command =
  | { kind: "enable"; id: Id; on: boolean }
  | { kind: "cap"; id: Id; cap: number }
  | { kind: "turn"; id: Id }
  | { kind: "settle"; id: Id }
  | { kind: "tick"; ms: number }
  | { kind: "provider"; fails: boolean }
  | { kind: "restart"; crash: boolean; downMs: number };

const id = fc.constantFrom(...IDS);
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant("enable" as const), id, on: fc.boolean() }),
  fc.record({ kind: fc.constant("cap" as const), id, cap: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ kind: fc.constant("turn" as const), id }),
  fc.record({ kind: fc.constant("settle" as const), id }),
  fc.record({ kind: fc.constant("tick" as const), ms: fc.integer({ min: 1, max: 900_000 }) }),
  fc.record({ kind: fc.constant("provider" as const), fails: fc.boolean() }),
  fc.record({
    kind: fc.constant("restart" as const),
    crash: fc.boolean(),
    downMs: fc.integer({ min: 0, max: 400_000 }),
  }),
);

interface Reference {
  enabled: boolean;
  cap: number;
  active: boolean;
  /** Automatic warms paid since the idle stretch began (a settled turn, re-enabling). */
  paidSinceStretch: number;
}

async function runScenario(commands: readonly Command[]): Promise<void> {
  const problems: string[] = [];
  const clock = FakeTimers.createClock(START);
  let storage = createMemoryStorage();
  let fails = false;
  const ref = new Map<Id, Reference>(
    IDS.map((i) => [i, { enabled: false, cap: 15, active: false, paidSinceStretch: 0 }]),
  );
  const r = (i: Id) => ref.get(i) as Reference;

  const warm = async (conversationId: string): Promise<WarmOutcome> => {
    const m = r(conversationId as Id);
    m.paidSinceStretch += 1;
    if (!m.enabled) problems.push(`${conversationId}: paid while disabled`);
    if (m.active) problems.push(`${conversationId}: paid while a turn generates`);
    if (m.cap > 0 && m.paidSinceStretch > m.cap) {
      problems.push(
        `${conversationId}: warm ${m.paidSinceStretch} of a stretch capped at ${m.cap}`,
      );
    }
    if (fails) throw new Error("provider down");
    return { ...HIT };
  };

  const start = (at: number): CacheWarmer => {
    clock.setSystemTime(at);
    return createCacheWarmer({
      warm,
      storage,
      logger: silentLogger,
      timers: {
        setTimer: (fn, ms) => Number(clock.setTimeout(fn, ms)),
        clearTimer: (handle) => clock.clearTimeout(handle),
      },
      now: () => clock.now,
      onSurfaceChange() {},
      // As the standalone server warms: every rule, the bundled price table.
      rules: STANDARD_RULES,
      prices: DEFAULT_PRICES,
    });
  };
  let warmer = start(START);

  for (const command of commands) {
    switch (command.kind) {
      case "enable": {
        const m = r(command.id);
        if (command.on && !m.enabled) m.paidSinceStretch = 0;
        await warmer.setEnabled(command.id, command.on);
        m.enabled = command.on;
        break;
      }
      case "cap":
        await setSpendLimits(warmer, command.id, { idleWarmCap: command.cap });
        r(command.id).cap = command.cap;
        break;
      case "turn":
        warmer.onTurnStarted(command.id);
        r(command.id).active = true;
        break;
      case "settle":
        r(command.id).active = false;
        r(command.id).paidSinceStretch = 0;
        await warmer.onTurnSettled(command.id, {});
        break;
      case "tick":
        await clock.tickAsync(command.ms);
        break;
      case "provider":
        fails = command.fails;
        break;
      case "restart": {
        // A crash keeps only what was already written; a clean stop lets queued writes finish.
        if (command.crash) {
          const kept = Object.fromEntries(
            await Promise.all(
              (await storage.keys()).map(async (key) => [key, (await storage.get(key)) as string]),
            ),
          );
          warmer.dispose();
          storage = createMemoryStorage(kept);
        } else {
          warmer.dispose();
          await warmer.drainWrites();
        }
        // A turn generating when the server stopped is gone with it.
        for (const i of IDS) r(i).active = false;
        warmer = start(clock.now + command.downMs);
        await warmer.resumeSchedules();
        for (const i of IDS) {
          await warmer.ensureLoaded(i);
          const state = warmer.getState(i);
          if (state.enabled !== r(i).enabled) problems.push(`${i}: enabled lost in a restart`);
          if (state.idleWarmCap !== r(i).cap) problems.push(`${i}: idle cap lost in a restart`);
        }
        break;
      }
    }
    if (problems.length > 0) break;
  }
  await clock.tickAsync(30 * 60_000);
  warmer.dispose();
  expect(problems).toEqual([]);
}

it(`never pays a warm the settings did not ask for, over ${RUNS} random runs with restarts (seed ${SEED})`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 40 }), runScenario),
    { numRuns: RUNS, seed: SEED },
  );
}, 60_000);
