// Model-based test: random interleavings of turns, settings, manual warms, time and provider
// answers (early, late, failing, never) over several conversations. After every step the
// warmer is compared with a small reference model and with what its timers and notifications
// show. Runs PROPERTY_RUNS cases (default 1000) from PROPERTY_SEED (default fixed), e.g.
//   PROPERTY_RUNS=5000 PROPERTY_SEED=$RANDOM pnpm vitest run warmer.property
import { createMemoryStorage } from "@dispatch/kv-storage";
import type { SurfaceSpec } from "@dispatch/ui-contract";
import FakeTimers from "@sinonjs/fake-timers";
import fc from "fast-check";
import { expect, it } from "vitest";
import {
  buildCacheWarmingSpec,
  type CacheWarmer,
  computeExpectedCacheRate,
  createCacheWarmer,
  DEFAULT_INTERVAL_MS,
  type PauseReason,
  type TimerDeps,
} from "./index.js";
import { createScheduler, DEFAULT_PRICES, STANDARD_RULES } from "./modules/index.js";
import { HIT, MISS, START, silentLogger } from "./testing/harness.js";
import type { WarmOutcome } from "./warm-service.js";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
const SEED = Number(process.env.PROPERTY_SEED ?? 20261125);
const IDS = ["a", "b"] as const;
const TIMEOUT_MS = 30_000;
const GAP_MS = 1_000;
const CAP = 3;
const DEAD_LIMIT = 2;

type Id = (typeof IDS)[number];
type Outcome = "hit" | "miss" | "refuse" | "throw";
type Command =
  | { type: "turnStarted"; id: Id }
  | { type: "turnSettled"; id: Id }
  | { type: "setEnabled"; id: Id; enabled: boolean }
  | { type: "setInterval"; id: Id; seconds: number }
  | { type: "warmNow"; id: Id }
  | { type: "advance"; ms: number }
  | { type: "answer"; id: Id; outcome: Outcome }
  | { type: "close"; id: Id };

const idArb = fc.constantFrom(...IDS);
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ type: fc.constant("turnStarted" as const), id: idArb }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant("turnSettled" as const), id: idArb }), weight: 1 },
  {
    arbitrary: fc.record({
      type: fc.constant("setEnabled" as const),
      id: idArb,
      enabled: fc.boolean(),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("setInterval" as const),
      id: idArb,
      seconds: fc.constantFrom(1, 2, 7, 45, 240),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ type: fc.constant("warmNow" as const), id: idArb }), weight: 4 },
  {
    arbitrary: fc.record({
      type: fc.constant("advance" as const),
      ms: fc.constantFrom(0, 1, 500, 999, 1_000, 2_000, 7_000, 29_999, 31_000, 240_000),
    }),
    weight: 5,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("answer" as const),
      id: idArb,
      outcome: fc.constantFrom<Outcome>("hit", "hit", "miss", "refuse", "throw"),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ type: fc.constant("close" as const), id: idArb }), weight: 1 },
);

/** What the warmer should say about one conversation, tracked the simplest way possible. */
interface ModelConversation {
  enabled: boolean;
  intervalMs: number;
  active: boolean;
  lastWarmAt: number | null;
  autoWarms: number;
  deadStreak: number;
  pausedBy: PauseReason | null;
  /** Settled or enabled since it was (re)created: the schedule has been started once. */
  started: boolean;
  flight: "manual" | "auto" | null;
  lastManualWarmAt: number | null;
  /** When the automatic warm should fire, restarted from now by every (re)arming event. */
  nextWarmAt: number | null;
}

function freshModel(intervalMs = DEFAULT_INTERVAL_MS): ModelConversation {
  return {
    enabled: false,
    intervalMs,
    active: false,
    lastWarmAt: null,
    autoWarms: 0,
    deadStreak: 0,
    pausedBy: null,
    started: false,
    flight: null,
    lastManualWarmAt: null,
    nextWarmAt: null,
  };
}

const schedulable = (m: ModelConversation) => m.enabled && !m.active && m.pausedBy === null;

/** Restart the countdown from now (after a warm, a settle, a new interval). */
function modelRearm(m: ModelConversation, now: number): void {
  m.nextWarmAt = schedulable(m) ? now + m.intervalMs : null;
}

/** Keep a running countdown; start or stop it only when that must change. */
function modelReconcile(m: ModelConversation, now: number): void {
  if (!schedulable(m)) m.nextWarmAt = null;
  else if (m.nextWarmAt === null) m.nextWarmAt = now + m.intervalMs;
}

function resetStretch(m: ModelConversation): void {
  m.autoWarms = 0;
  m.deadStreak = 0;
  m.pausedBy = null;
}

function modelFinish(m: ModelConversation, outcome: Outcome | "timeout", now: number): void {
  const trigger = m.flight;
  m.flight = null;
  const ok = outcome === "hit" || outcome === "miss";
  if (ok) m.lastWarmAt = now;
  if (trigger === "manual") {
    resetStretch(m);
  } else {
    m.autoWarms += 1;
    if (ok) {
      const usage = outcome === "hit" ? HIT : MISS;
      const dead = computeExpectedCacheRate(usage.cacheReadTokens, usage.cacheWriteTokens) === 0;
      m.deadStreak = dead ? m.deadStreak + 1 : 0;
    }
    if (m.autoWarms >= CAP) m.pausedBy = "idle-cap";
    else if (m.deadStreak >= DEAD_LIMIT) m.pausedBy = "dead-cache";
  }
  modelRearm(m, now);
}

interface ProviderCall {
  id: Id;
  resolve(result: WarmOutcome): void;
  reject(error: unknown): void;
  answered: boolean;
  /** The warmer still waits for this call (not timed out, not abandoned by a close). */
  current: boolean;
}

interface PendingTimer {
  kind: "warm" | "warm-timeout";
  id: Id;
  fireAt: number;
}

function withoutServerNow(spec: SurfaceSpec): string {
  return JSON.stringify(spec, (key, value) => (key === "serverNow" ? undefined : value));
}

async function runScenario(commands: Command[], viaScheduler = false): Promise<void> {
  const clock = FakeTimers.createClock(START);
  const clockTimers: TimerDeps = {
    setTimer: (fn, ms) => Number(clock.setTimeout(fn, ms)),
    clearTimer: (id) => clock.clearTimeout(id),
  };
  // Once through the production scheduler (every timer on one host timer), once without.
  const base = viaScheduler ? createScheduler(clockTimers, () => clock.now) : clockTimers;
  const storage = createMemoryStorage();
  for (const id of IDS) {
    await storage.set(
      `spend-limits:${id}`,
      // The model is the fixed policy's (its conversations are unpriced: no policy would differ).
      JSON.stringify({ idleWarmCap: CAP, deadWarmLimit: DEAD_LIMIT, policy: "fixed" }),
    );
  }
  const models = new Map<Id, ModelConversation>(IDS.map((id) => [id, freshModel()]));
  const model = (id: Id) => models.get(id) as ModelConversation;
  const calls: ProviderCall[] = [];
  const pendingTimers = new Map<unknown, PendingTimer>();
  const notifications = new Map<Id, number>(IDS.map((id) => [id, 0]));
  const expectedNotifications = new Map<Id, number>();
  const lastPushed = new Map<Id, string>();
  const problems: string[] = [];
  const check = (ok: boolean, message: string) => {
    if (!ok) problems.push(`${message} (t=${clock.now - START})`);
  };

  const currentCall = (id: Id) => calls.find((c) => c.id === id && c.current && !c.answered);
  const timersOf = (id: Id, kind: PendingTimer["kind"]) =>
    [...pendingTimers.values()].filter((t) => t.id === id && t.kind === kind);

  const warmer: CacheWarmer = createCacheWarmer({
    warm: (conversationId) =>
      new Promise<WarmOutcome>((resolve, reject) => {
        const id = conversationId as Id;
        check(
          currentCall(id) === undefined,
          `${id}: a second provider call while one is in flight`,
        );
        calls.push({ id, resolve, reject, answered: false, current: true });
      }),
    storage,
    logger: silentLogger,
    timers: {
      setTimer(fn, ms, label) {
        const [kind, id] = (label ?? "").split(":") as [PendingTimer["kind"], Id];
        if (kind === "warm") {
          check(
            ms === model(id).intervalMs,
            `${id}: armed for ${ms} ms, interval is ${model(id).intervalMs}`,
          );
        }
        const handle = base.setTimer(() => {
          pendingTimers.delete(handle);
          onFire(kind, id, fn);
        }, ms);
        pendingTimers.set(handle, { kind, id, fireAt: clock.now + ms });
        return handle;
      },
      clearTimer(handle) {
        base.clearTimer(handle);
        pendingTimers.delete(handle);
      },
    },
    now: () => clock.now,
    // As the standalone server warms: every rule, the bundled price table.
    rules: STANDARD_RULES,
    prices: DEFAULT_PRICES,
    onSurfaceChange(conversationId) {
      const id = conversationId as Id;
      notifications.set(id, (notifications.get(id) ?? 0) + 1);
      lastPushed.set(id, withoutServerNow(buildCacheWarmingSpec(warmer.getState(id), clock.now)));
    },
    warmTimeoutMs: TIMEOUT_MS,
    manualWarmMinGapMs: GAP_MS,
  });

  function onFire(kind: PendingTimer["kind"], id: Id, fn: () => void): void {
    const m = model(id);
    const callsBefore = calls.length;
    // Both a fire (countdown over) and a timeout (warm finished) are one visible change.
    expectedNotifications.set(id, (expectedNotifications.get(id) ?? 0) + 1);
    if (kind === "warm-timeout") {
      const call = currentCall(id);
      if (call) call.current = false;
      fn();
      modelFinish(m, "timeout", clock.now);
      return;
    }
    const joining = m.flight !== null;
    m.nextWarmAt = null;
    fn();
    const made = calls.length - callsBefore;
    check(made === (joining ? 0 : 1), `${id}: a current timer fire made ${made} provider calls`);
    if (!joining) m.flight = "auto";
  }

  const flush = () => clock.tickAsync(0);

  function checkInvariants(step: string): void {
    for (const id of IDS) {
      const m = model(id);
      const s = warmer.getState(id);
      const warmTimers = timersOf(id, "warm");
      const timeouts = timersOf(id, "warm-timeout");
      const where = `${step} / ${id}`;
      check(warmTimers.length <= 1, `${where}: ${warmTimers.length} warm timers pending`);
      check(
        s.nextWarmAt === (warmTimers[0]?.fireAt ?? null),
        `${where}: nextWarmAt ${s.nextWarmAt} but pending timer at ${warmTimers[0]?.fireAt}`,
      );
      check(s.nextWarmAt === null || s.nextWarmAt >= clock.now, `${where}: nextWarmAt in the past`);
      if (!s.enabled || s.active || s.pausedBy !== null) {
        check(s.nextWarmAt === null, `${where}: a timer pending while disabled, active or paused`);
      }
      check(timeouts.length === (m.flight === null ? 0 : 1), `${where}: in-flight warms ≠ model`);
      check(s.enabled === m.enabled, `${where}: enabled ${s.enabled}, model ${m.enabled}`);
      check(
        s.intervalMs === m.intervalMs,
        `${where}: interval ${s.intervalMs}, model ${m.intervalMs}`,
      );
      check(s.active === m.active, `${where}: active ${s.active}, model ${m.active}`);
      check(
        s.lastWarmAt === m.lastWarmAt,
        `${where}: lastWarmAt ${s.lastWarmAt}, model ${m.lastWarmAt}`,
      );
      check(s.pausedBy === m.pausedBy, `${where}: pausedBy ${s.pausedBy}, model ${m.pausedBy}`);
      check(
        s.nextWarmAt === m.nextWarmAt,
        `${where}: nextWarmAt ${s.nextWarmAt}, model ${m.nextWarmAt}`,
      );
      check(
        s.autoWarmsSinceTurn === m.autoWarms && s.deadWarmStreak === m.deadStreak,
        `${where}: spend-guard counts ${s.autoWarmsSinceTurn}/${s.deadWarmStreak}, model ${m.autoWarms}/${m.deadStreak}`,
      );
      // A failed or late warm must never end the schedule for good.
      if (m.started && m.enabled && !m.active && m.pausedBy === null && m.flight === null) {
        check(s.nextWarmAt !== null, `${where}: schedule lost`);
      }
      const pushed = lastPushed.get(id);
      if (pushed !== undefined) {
        const now = withoutServerNow(buildCacheWarmingSpec(warmer.getState(id), clock.now));
        check(pushed === now, `${where}: the spec changed without a notification`);
      }
    }
  }

  for (const [index, command] of commands.entries()) {
    const before = new Map(notifications);
    const notified = (id: Id) => (notifications.get(id) ?? 0) - (before.get(id) ?? 0);
    const step = `#${index} ${JSON.stringify(command)}`;
    const lastWarmBefore = new Map(IDS.map((id) => [id, warmer.getState(id).lastWarmAt]));
    switch (command.type) {
      case "turnStarted": {
        warmer.onTurnStarted(command.id);
        model(command.id).active = true;
        model(command.id).nextWarmAt = null;
        check(notified(command.id) === 1, `${step}: notified ${notified(command.id)}×`);
        break;
      }
      case "turnSettled": {
        const m = model(command.id);
        m.active = false;
        m.started = true;
        resetStretch(m);
        modelRearm(m, clock.now);
        await warmer.onTurnSettled(command.id);
        check(notified(command.id) === 1, `${step}: notified ${notified(command.id)}×`);
        break;
      }
      case "setEnabled": {
        const m = model(command.id);
        await warmer.setEnabled(command.id, command.enabled);
        if (command.enabled && !m.enabled) resetStretch(m);
        m.enabled = command.enabled;
        m.started ||= command.enabled;
        modelReconcile(m, clock.now);
        check(notified(command.id) === 1, `${step}: notified ${notified(command.id)}×`);
        break;
      }
      case "setInterval": {
        const m = model(command.id);
        const changed = m.intervalMs !== command.seconds * 1000;
        m.intervalMs = command.seconds * 1000;
        await warmer.setIntervalMs(command.id, command.seconds * 1000);
        if (changed) modelRearm(m, clock.now);
        else modelReconcile(m, clock.now);
        check(notified(command.id) === 1, `${step}: notified ${notified(command.id)}×`);
        break;
      }
      case "warmNow": {
        const m = model(command.id);
        const now = clock.now;
        const expected: "generating" | "rate-limited" | "join" | "start" = m.active
          ? "generating"
          : m.flight !== null
            ? "join"
            : m.lastManualWarmAt !== null && now - m.lastManualWarmAt < GAP_MS
              ? "rate-limited"
              : "start";
        const callsBefore = calls.length;
        let refusal: string | null = null;
        void warmer.warmNow(command.id).then((result) => {
          if (!result.ok && (result.reason === "generating" || result.reason === "rate-limited")) {
            refusal = result.reason;
          }
        });
        await flush();
        if (expected === "start") {
          m.flight = "manual";
          m.lastManualWarmAt = now;
        }
        check(
          calls.length - callsBefore === (expected === "start" ? 1 : 0),
          `${step}: expected ${expected}, made ${calls.length - callsBefore} calls`,
        );
        const shouldRefuse = expected === "generating" || expected === "rate-limited";
        check(
          refusal === (shouldRefuse ? expected : null),
          `${step}: refusal ${refusal}, expected ${expected}`,
        );
        check(notified(command.id) === 0, `${step}: a manual warm notified before it finished`);
        break;
      }
      case "advance": {
        expectedNotifications.clear();
        await clock.tickAsync(command.ms);
        for (const id of IDS) {
          const expected = expectedNotifications.get(id) ?? 0;
          check(
            notified(id) === expected,
            `${step}: ${id} notified ${notified(id)}×, expected ${expected}`,
          );
        }
        break;
      }
      case "answer": {
        // The call the warmer waits for if there is one, else a late answer to an old one.
        const call =
          currentCall(command.id) ?? calls.find((c) => c.id === command.id && !c.answered);
        if (!call) break;
        call.answered = true;
        const wasCurrent = call.current;
        if (command.outcome === "hit") call.resolve(HIT);
        else if (command.outcome === "miss") call.resolve(MISS);
        else if (command.outcome === "refuse") call.resolve({ error: "no history" });
        else call.reject(new Error("boom"));
        await flush();
        if (wasCurrent) modelFinish(model(command.id), command.outcome, clock.now);
        check(
          notified(command.id) === (wasCurrent ? 1 : 0),
          `${step}: an answer (current=${wasCurrent}) notified ${notified(command.id)}×`,
        );
        break;
      }
      case "close": {
        for (const call of calls) if (call.id === command.id) call.current = false;
        await warmer.onConversationClosed(command.id);
        await flush();
        models.set(command.id, freshModel(model(command.id).intervalMs));
        check(notified(command.id) === 1, `${step}: notified ${notified(command.id)}×`);
        break;
      }
    }
    await flush();
    for (const id of IDS) {
      const last = warmer.getState(id).lastWarmAt;
      const previous = lastWarmBefore.get(id) ?? null;
      if (command.type !== "close" && previous !== null) {
        check(last !== null && last >= previous, `${step}: lastWarmAt went back for ${id}`);
      }
    }
    checkInvariants(step);
    if (problems.length > 0) break;
  }
  warmer.dispose();
  expect(problems).toEqual([]);
}

it(`keeps every invariant over ${RUNS} random interleavings (seed ${SEED})`, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(commandArb, { minLength: 1, maxLength: 60, size: "max" }),
      (commands) => runScenario(commands),
    ),
    { numRuns: RUNS, seed: SEED },
  );
}, 60_000);

it(`keeps every invariant through the production scheduler (${Math.ceil(RUNS / 4)} interleavings)`, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(commandArb, { minLength: 1, maxLength: 60, size: "max" }),
      (commands) => runScenario(commands, true),
    ),
    { numRuns: Math.ceil(RUNS / 4), seed: SEED },
  );
}, 60_000);
