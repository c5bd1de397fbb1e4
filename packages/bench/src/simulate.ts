// `pnpm simulate`: replays idle-gap traces through the real warmer, on fake time, against the
// simulator's TTL cache, and prints what each warming rule costs against two yardsticks: the
// offline optimum (per idle gap, knowing its length: the cheaper of warming through it on the
// warmer's grid and letting the cache lapse) and the best constant "stop after k warms" rule
// chosen in hindsight for the trace. Then the adaptive policy meets its adversary: one that
// reads the policy's live account and looks three gaps ahead for the returns that make it pay
// most (`@dispatch/cache-warming-extras/adversary`), for 3 000 gaps at the default interval, a
// 60 s interval and on the 1-hour cache tier, against the bound the README states.
// Deterministic: the same seeds give the same tables.
import type { WarmResult } from "@dispatch/cache-warming";
import {
  createStandardWarmer,
  DEFAULT_PRICES,
  type ModelPricing,
  SIM_PRICING,
  type SpendLimits,
  warmCostUsd,
} from "@dispatch/cache-warming-extras";
import { adaptiveGuarantee, worstReturns } from "@dispatch/cache-warming-extras/adversary";
import { createMemoryStorage } from "@dispatch/kv-storage";
import { createPromptCacheSimulator } from "@dispatch/warm-service";
import FakeTimers from "@sinonjs/fake-timers";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const TURNS_PER_TRACE = 300;
/** `SIMULATE_SEEDS=6,7,8,9,10 pnpm simulate` replays other traces of the same families. */
const SEEDS = (process.env.SIMULATE_SEEDS ?? "1,2,3,4,5").split(",").map(Number);
const MODEL = "sim";
const PREFIX_TOKENS = 20_000;
const ADVERSARY_GAPS = 3_000;
const LOOKAHEAD = 3;
const START = Date.UTC(2026, 0, 1);

/** A seeded PRNG (mulberry32): the traces are the same on every machine. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const logUniform = (rand: () => number, lo: number, hi: number) =>
  Math.exp(Math.log(lo) + rand() * (Math.log(hi) - Math.log(lo)));
const normal = (rand: () => number) =>
  Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

/** A working day as one user lives it: bursts of turns, a lunch break, the night. */
function workingDay(rand: () => number, count: number): number[] {
  const gaps: number[] = [];
  while (gaps.length < count) {
    for (const half of [0, 1]) {
      const turns = 20 + Math.floor(rand() * 40);
      for (let i = 0; i < turns; i++) {
        // Mostly quick back-and-forth, now and then a meeting or a coffee.
        gaps.push(
          rand() < 0.9
            ? logUniform(rand, 10 * SECOND, 4 * MINUTE)
            : logUniform(rand, 8 * MINUTE, 40 * MINUTE),
        );
      }
      gaps.push(
        half === 0
          ? logUniform(rand, 40 * MINUTE, 75 * MINUTE)
          : logUniform(rand, 13 * HOUR, 16 * HOUR),
      );
    }
  }
  return gaps.slice(0, count);
}

interface Distribution {
  readonly about: string;
  readonly trace: (rand: () => number, count: number) => number[];
}

const independent = (gap: (rand: () => number) => number) => (rand: () => number, count: number) =>
  Array.from({ length: count }, () => gap(rand));

/** Idle-gap traces (ms). */
const DISTRIBUTIONS: Record<string, Distribution> = {
  "public-fit": {
    about: "563 of 637 gaps under 5 min (log-uniform 5 s–5 min); the rest: 60% 5–60 min, 40% 1–8 h",
    trace: independent((rand) => {
      if (rand() < 563 / 637) return logUniform(rand, 5 * SECOND, 5 * MINUTE);
      return rand() < 0.6 ? logUniform(rand, 5 * MINUTE, HOUR) : logUniform(rand, HOUR, 8 * HOUR);
    }),
  },
  exponential: {
    about: "memoryless, mean 4 min",
    trace: independent((rand) => -Math.log(1 - rand()) * 4 * MINUTE),
  },
  lognormal: {
    about: "median 90 s, sigma 1.5",
    trace: independent((rand) => 90 * SECOND * Math.exp(1.5 * normal(rand))),
  },
  pareto: {
    about: "heavy tail: alpha 1.2 from 20 s, capped at 12 h",
    trace: independent((rand) => Math.min(12 * HOUR, 20 * SECOND * (1 - rand()) ** (-1 / 1.2))),
  },
  "working-day": {
    about: "bursts of 20–60 turns (90% 10 s–4 min, 10% 8–40 min), lunch 40–75 min, night 13–16 h",
    trace: workingDay,
  },
  bimodal: {
    about: "70% short (20 s–4 min), 30% long absences (20 min–3 h)",
    trace: independent((rand) =>
      rand() < 0.7
        ? logUniform(rand, 20 * SECOND, 4 * MINUTE)
        : logUniform(rand, 20 * MINUTE, 3 * HOUR),
    ),
  },
  "beyond-ttl": {
    about: "returns just beyond the cache's life: 5–9 min",
    trace: independent((rand) => logUniform(rand, 5 * MINUTE + 5 * SECOND, 9 * MINUTE)),
  },
  "4-5-min replier": {
    about:
      "always replies after 4–5 minutes: the turn's own cache is still alive, a warm at 4 min is wasted",
    trace: independent((rand) => 4 * MINUTE + rand() * MINUTE),
  },
  "just-past-ttl": {
    about: "returns just after the turn's cache expired: 5:00–5:30",
    trace: independent((rand) => 5 * MINUTE + rand() * 30 * SECOND),
  },
};

interface Rule {
  readonly name: string;
  readonly enabled: boolean;
  readonly limits: Partial<SpendLimits>;
}

const RULES: readonly Rule[] = [
  { name: "no warming", enabled: false, limits: {} },
  { name: "fixed, no cap", enabled: true, limits: { policy: "fixed", idleWarmCap: 0 } },
  { name: "fixed, idle cap 15", enabled: true, limits: { policy: "fixed", idleWarmCap: 15 } },
  {
    name: "break-even, idle cap 15",
    enabled: true,
    limits: { policy: "break-even", idleWarmCap: 15 },
  },
  { name: "adaptive, idle cap 15", enabled: true, limits: { policy: "adaptive", idleWarmCap: 15 } },
  { name: "adaptive", enabled: true, limits: { policy: "adaptive", idleWarmCap: 0 } },
];
/** The adaptive policy alone: its own stop, no idle cap on top. */
const ADAPTIVE_NO_CAP = RULES.at(-1) as Rule;

/** A model's cache and the interval the user chose. */
interface Setting {
  readonly name: string;
  readonly intervalMs: number;
  readonly pricing: ModelPricing;
}

const DEFAULT_SETTING: Setting = {
  name: "default (240 s interval, 5-minute cache)",
  intervalMs: 240 * SECOND,
  pricing: SIM_PRICING,
};
const ADVERSARY_SETTINGS: readonly Setting[] = [
  DEFAULT_SETTING,
  { ...DEFAULT_SETTING, name: "60 s interval, 5-minute cache", intervalMs: 60 * SECOND },
  {
    name: "240 s interval, 1-hour cache tier (writes 2× input)",
    intervalMs: 240 * SECOND,
    pricing: { ...SIM_PRICING, cacheWritePerMTok: 2 * SIM_PRICING.inputPerMTok, cacheTtlMs: HOUR },
  },
];

// ---- what a turn and a warm cost on this model (read off the simulator itself) -------------

async function costsOf(setting: Setting) {
  const sim = createPromptCacheSimulator({
    now: () => 0,
    prefixTokens: PREFIX_TOKENS,
    ttlMs: setting.pricing.cacheTtlMs,
  });
  const priced = async () =>
    warmCostUsd((await sim.warm("probe", { modelName: MODEL })) as WarmResult, setting.pricing);
  const miss = await priced();
  const hit = await priced();
  const ttl = setting.pricing.cacheTtlMs;
  const interval = setting.intervalMs;
  /** Warms needed to keep the cache alive until a return `gap` after the turn settled. */
  const warmsToBridge = (gap: number) => (gap < ttl ? 0 : Math.floor((gap - ttl) / interval) + 1);
  /** Warms a rule that never stops would have made before the return. */
  const warmsBefore = (gap: number) => Math.max(0, Math.ceil(gap / interval) - 1);
  // A warm is the same request as a turn's first one, made while the cache is alive.
  const warm = hit;
  return {
    miss,
    hit,
    warm,
    warmsToBridge,
    /** The offline optimum for one return: warm through the gap on the grid, or let it lapse. */
    optimum: (gap: number) => Math.min(warmsToBridge(gap) * warm + hit, miss),
    /** "Stop after k automatic warms" (k = 0: never warm) for one return. */
    stopAfter(k: number, gap: number): number {
      const warms = Math.min(k, warmsBefore(gap));
      return warms * warm + (k >= warmsToBridge(gap) ? hit : miss);
    },
  };
}

type Costs = Awaited<ReturnType<typeof costsOf>>;

/** Every trace starts cold: its first turn writes the prefix whatever the rule. */
const total = (costs: Costs, gaps: readonly number[], perGap: (gap: number) => number) =>
  costs.miss + gaps.reduce((sum, gap) => sum + perGap(gap), 0);

function bestConstantK(costs: Costs, gaps: readonly number[]): { k: number; cost: number } {
  let best = { k: 0, cost: total(costs, gaps, (gap) => costs.stopAfter(0, gap)) };
  const longest = Math.max(...gaps.map(costs.warmsToBridge));
  for (let k = 1; k <= longest; k++) {
    const cost = total(costs, gaps, (gap) => costs.stopAfter(k, gap));
    if (cost < best.cost) best = { k, cost };
  }
  return best;
}

// ---- replaying a trace through the real warmer --------------------------------------------

interface Outcome {
  costUsd: number;
  warmsUsd: number;
  warms: number;
  turns: number;
  hits: number;
  /** The returns, as the trace or the adversary placed them (ms after the turn settled). */
  gaps: number[];
}

type Warming = ReturnType<typeof createStandardWarmer>;

/**
 * Plays `turns` turns on `setting`; `nextGap` says when the user returns after each, asked
 * once the turn has settled (the adversary reads the warmer's live state then).
 */
async function replay(
  rule: Rule,
  setting: Setting,
  turns: number,
  nextGap: (warming: Warming) => number,
): Promise<Outcome> {
  const clock = FakeTimers.createClock(START);
  const cache = createPromptCacheSimulator({
    now: () => clock.now,
    prefixTokens: PREFIX_TOKENS,
    ttlMs: setting.pricing.cacheTtlMs,
  });
  const outcome: Outcome = { costUsd: 0, warmsUsd: 0, warms: 0, turns: 0, hits: 0, gaps: [] };
  const price = (usage: WarmResult) => warmCostUsd(usage, setting.pricing);
  // As the standalone server warms: every extra, the bundled price table, no global budget.
  const warming = createStandardWarmer({
    warm: async (conversationId, opts) => {
      const usage = (await cache.warm(conversationId, opts)) as WarmResult;
      outcome.warms += 1;
      outcome.warmsUsd += price(usage);
      outcome.costUsd += price(usage);
      warming.warmer.onWarmCompleted({ conversationId, usage });
      return usage;
    },
    storage: createMemoryStorage(),
    persist: false,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    timers: {
      setTimer: (fn, ms) => Number(clock.setTimeout(fn, ms)),
      clearTimer: (id) => clock.clearTimeout(id),
    },
    now: () => clock.now,
    prices: { ...DEFAULT_PRICES, [MODEL]: setting.pricing },
    dearest: setting.pricing,
    manualWarmMinGapMs: 0,
    maxWarmsPerMinute: 0,
    maxUsdPerMinute: 0,
    maxEnabledConversations: 0,
  });
  const { warmer } = warming;
  const id = "trace";
  await warmer.setEnabled(id, rule.enabled);
  await warmer.setIntervalMs(id, setting.intervalMs);
  if (Object.keys(rule.limits).length > 0) await warming.setSpendLimits(id, rule.limits);
  for (let turn = 0; turn < turns; turn++) {
    // A real turn: its first request finds the prefix cached or writes it again.
    warmer.onTurnStarted(id);
    const usage = (await cache.warm(id, { modelName: MODEL })) as WarmResult;
    outcome.costUsd += price(usage);
    outcome.turns += 1;
    if (usage.cacheReadTokens > 0) outcome.hits += 1;
    await warmer.onTurnSettled(id, { modelName: MODEL });
    if (turn === turns - 1) break;
    const settledAt = clock.now;
    const gap = Math.round(nextGap(warming));
    outcome.gaps.push(gap);
    await clock.tickAsync(Math.max(0, settledAt + gap - clock.now));
  }
  warmer.dispose();
  return outcome;
}

const replayTrace = (rule: Rule, setting: Setting, gaps: readonly number[]) => {
  let i = 0;
  return replay(rule, setting, gaps.length + 1, () => gaps[i++] as number);
};

/** The lookahead adversary: each return where the live account says the policy pays most. */
function replayAdversary(setting: Setting) {
  return replay(ADAPTIVE_NO_CAP, setting, ADVERSARY_GAPS + 1, (warming) => {
    const { account, costs } = warming.guard.adaptive("trace");
    if (costs === null) throw new Error("the simulated model is priced");
    const { ratio } = adaptiveGuarantee(costs);
    return worstReturns(account, costs, ratio, LOOKAHEAD)[0]?.gapMs ?? 0;
  });
}

// ---- the tables --------------------------------------------------------------------------

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const ratio = (values: readonly number[]) =>
  `${median(values).toFixed(3)} (${Math.max(...values).toFixed(3)})`;

interface Row {
  vsOptimum: number[];
  vsBestK: number[];
  vsCheapestSimple: number[];
  hitRate: number[];
  warms: number[];
  warmsUsdPerIdleHour: number[];
}

const emptyRow = (): Row => ({
  vsOptimum: [],
  vsBestK: [],
  vsCheapestSimple: [],
  hitRate: [],
  warms: [],
  warmsUsdPerIdleHour: [],
});

/** The guarantee the adaptive policy is held to: checked on every trace below. */
const TARGET = { vsBestK: 1.05, vsCheapestSimple: 1.05 };

async function families(verdicts: string[]): Promise<void> {
  const costs = await costsOf(DEFAULT_SETTING);
  const { pricing, intervalMs } = DEFAULT_SETTING;
  console.log(
    `# ${TURNS_PER_TRACE} idle gaps per trace, seeds ${SEEDS.join(", ")}; model "sim" ` +
      `($${pricing.inputPerMTok}/MTok in, write ×1.25, read ×0.1, ${pricing.cacheTtlMs / 1000} s TTL), ` +
      `${PREFIX_TOKENS} -token prefix, warms every ${intervalMs / 1000} s`,
  );
  console.log(
    `# a warm costs $${costs.warm.toFixed(5)}, a turn $${costs.hit.toFixed(5)} on a hit and ` +
      `$${costs.miss.toFixed(5)} on a miss: one lapse = ${((costs.miss - costs.hit) / costs.warm).toFixed(1)} warms`,
  );
  console.log(
    "# each cell: the median over seeds (the worst seed); cost counts every warm and every turn's first request",
  );
  console.log(
    "# cheapest simple rule: the cheaper of no warming and fixed with the idle cap, per seed; $/idle h: warms' dollars per hour of idle gaps",
  );
  for (const [name, distribution] of Object.entries(DISTRIBUTIONS)) {
    console.log(`\n## ${name}: ${distribution.about}`);
    console.log(
      "| rule | × offline optimum | × best stop-after-k | × cheapest simple rule | hit rate | warms | warms $/idle h |",
    );
    console.log("|---|---:|---:|---:|---:|---:|---:|");
    const rows = new Map<string, Row>();
    const bestKs: number[] = [];
    for (const seed of SEEDS) {
      const rand = random(seed * 7919 + name.length);
      const gaps = distribution.trace(rand, TURNS_PER_TRACE);
      const idleHours = gaps.reduce((sum, gap) => sum + gap, 0) / HOUR;
      const opt = total(costs, gaps, costs.optimum);
      const best = bestConstantK(costs, gaps);
      bestKs.push(best.k);
      const outcomes = new Map<string, Outcome>();
      for (const rule of RULES)
        outcomes.set(rule.name, await replayTrace(rule, DEFAULT_SETTING, gaps));
      const cost = (rule: string) => outcomes.get(rule)?.costUsd ?? Number.NaN;
      const simple = Math.min(cost("no warming"), cost("fixed, idle cap 15"));
      for (const [rule, outcome] of outcomes) {
        const row = rows.get(rule) ?? emptyRow();
        row.vsOptimum.push(outcome.costUsd / opt);
        row.vsBestK.push(outcome.costUsd / best.cost);
        row.vsCheapestSimple.push(outcome.costUsd / simple);
        row.hitRate.push(outcome.hits / outcome.turns);
        row.warms.push(outcome.warms);
        row.warmsUsdPerIdleHour.push(outcome.warmsUsd / idleHours);
        rows.set(rule, row);
      }
      const bestRow = rows.get("best stop-after-k") ?? emptyRow();
      bestRow.vsOptimum.push(best.cost / opt);
      bestRow.vsBestK.push(1);
      bestRow.vsCheapestSimple.push(best.cost / simple);
      rows.set("best stop-after-k", bestRow);
    }
    for (const [rule, row] of rows) {
      const hit = row.hitRate.length ? `${(100 * median(row.hitRate)).toFixed(1)}%` : "—";
      const warms = row.warms.length ? `${median(row.warms)}` : "—";
      const perHour = row.warmsUsdPerIdleHour.length
        ? `$${median(row.warmsUsdPerIdleHour).toFixed(4)}`
        : "—";
      const label =
        rule === "best stop-after-k"
          ? `best stop-after-k in hindsight (k = ${bestKs.join(", ")})`
          : rule;
      console.log(
        `| ${label} | ${ratio(row.vsOptimum)} | ${ratio(row.vsBestK)} | ${ratio(row.vsCheapestSimple)} | ${hit} | ${warms} | ${perHour} |`,
      );
    }
    const adaptive = rows.get("adaptive");
    if (adaptive) {
      const bestK = median(adaptive.vsBestK);
      const simple = median(adaptive.vsCheapestSimple);
      const ok = bestK <= TARGET.vsBestK && simple <= TARGET.vsCheapestSimple;
      verdicts.push(
        `${name}: ×${bestK.toFixed(3)} best stop-after-k, ×${simple.toFixed(3)} cheapest simple rule → ${ok ? "meets" : "MISSES"}`,
      );
    }
  }
}

async function adversaries(verdicts: string[]): Promise<void> {
  console.log(
    `\n## adaptive against its adversary: ${ADVERSARY_GAPS} gaps, each return chosen from the live account looking ${LOOKAHEAD} gaps ahead`,
  );
  console.log(
    "# bound: paid ≤ B × optimum + E (B: the safe stop's worst ratio; E: one gap's most beyond it)",
  );
  console.log("| setting | B | E | × optimum | paid − B × optimum | within | hit rate | warms |");
  console.log("|---|---:|---:|---:|---:|---|---:|---:|");
  for (const setting of ADVERSARY_SETTINGS) {
    const costs = await costsOf(setting);
    const outcome = await replayAdversary(setting);
    const opt = total(costs, outcome.gaps, costs.optimum);
    const live = gapCostsOf(costs, setting);
    const { ratio: bound, excessUsd } = adaptiveGuarantee(live);
    const beyond = outcome.costUsd - bound * opt;
    // The first turn writes the prefix on both sides: B × it is allowed on top of E.
    const within = beyond <= excessUsd + (bound - 1) * costs.miss + 1e-9;
    console.log(
      `| ${setting.name} | ${bound.toFixed(4)} | $${excessUsd.toFixed(4)} | ${(outcome.costUsd / opt).toFixed(4)} | $${beyond.toFixed(4)} | ${within ? "yes" : "NO"} | ${((100 * outcome.hits) / outcome.turns).toFixed(1)}% | ${outcome.warms} |`,
    );
    verdicts.push(
      `adversary, ${setting.name}: ×${(outcome.costUsd / opt).toFixed(4)} optimum against a bound of ${bound.toFixed(4)} + $${excessUsd.toFixed(4)} → ${within ? "meets" : "MISSES"}`,
    );
  }
}

/** The gap costs the policy works with, from the simulator's own prices. */
function gapCostsOf(costs: Costs, setting: Setting) {
  return {
    warm: costs.warm,
    hit: costs.hit,
    miss: costs.miss,
    intervalMs: setting.intervalMs,
    cacheTtlMs: setting.pricing.cacheTtlMs,
  };
}

async function main(): Promise<void> {
  const verdicts: string[] = [];
  await families(verdicts);
  await adversaries(verdicts);
  console.log(
    `\n## adaptive against its targets: medians ≤ ${TARGET.vsBestK}× the best stop-after-k and ≤ ${TARGET.vsCheapestSimple}× the cheapest simple rule on every trace; within its bound against the adversary`,
  );
  for (const line of verdicts) console.log(`- ${line}`);
  const missed = verdicts.filter((line) => line.endsWith("MISSES")).length;
  console.log(`${verdicts.length - missed} of ${verdicts.length} met`);
  process.exitCode = missed === 0 ? 0 : 1;
}

await main();
