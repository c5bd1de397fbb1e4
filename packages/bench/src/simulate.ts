// `pnpm simulate`: replays idle-gap traces through the real warmer, on fake time, against the
// simulator's TTL cache, and prints what each warming rule costs and how many real turns
// find the cache alive. Deterministic: the same seeds give the same table.
import { createCacheWarmer, type SpendLimits, type WarmResult } from "@dispatch/cache-warming";
import {
  DEFAULT_PRICES,
  SIM_PRICING,
  STANDARD_RULES,
  warmCostUsd,
} from "@dispatch/cache-warming/modules";
import { createMemoryStorage } from "@dispatch/kv-storage";
import { createPromptCacheSimulator } from "@dispatch/warm-service";
import FakeTimers from "@sinonjs/fake-timers";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const TURNS_PER_TRACE = 300;
const SEEDS = [1, 2, 3, 4, 5];
const MODEL = "sim";

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

/** Idle-gap distributions (ms). */
const DISTRIBUTIONS: Record<string, { about: string; gap: (rand: () => number) => number }> = {
  "public-fit": {
    about: "563 of 637 gaps under 5 min (log-uniform 5 s–5 min); the rest: 60% 5–60 min, 40% 1–8 h",
    gap: (rand) => {
      if (rand() < 563 / 637) return logUniform(rand, 5 * SECOND, 5 * MINUTE);
      return rand() < 0.6 ? logUniform(rand, 5 * MINUTE, HOUR) : logUniform(rand, HOUR, 8 * HOUR);
    },
  },
  exponential: {
    about: "memoryless, mean 4 min",
    gap: (rand) => -Math.log(1 - rand()) * 4 * MINUTE,
  },
  lognormal: {
    about: "median 90 s, sigma 1.5",
    gap: (rand) => 90 * SECOND * Math.exp(1.5 * normal(rand)),
  },
  pareto: {
    about: "heavy tail: alpha 1.2 from 20 s, capped at 12 h",
    gap: (rand) => Math.min(12 * HOUR, 20 * SECOND * (1 - rand()) ** (-1 / 1.2)),
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
  { name: "break-even", enabled: true, limits: { policy: "break-even", idleWarmCap: 15 } },
];

interface Outcome {
  costUsd: number;
  warms: number;
  turns: number;
  hits: number;
  /** The least any rule could pay for these turns: only the first writes, none warms. */
  floorUsd: number;
}

async function replay(gapsMs: readonly number[], rule: Rule): Promise<Outcome> {
  const clock = FakeTimers.createClock(Date.UTC(2026, 0, 1));
  const cache = createPromptCacheSimulator({ now: () => clock.now, prefixTokens: 20_000 });
  const outcome: Outcome = { costUsd: 0, warms: 0, turns: 0, hits: 0, floorUsd: 0 };
  const charge = (usage: WarmResult) => {
    outcome.costUsd += warmCostUsd(usage, SIM_PRICING);
  };
  const warmer = createCacheWarmer({
    warm: async (conversationId, opts) => {
      const usage = (await cache.warm(conversationId, opts)) as WarmResult;
      outcome.warms += 1;
      charge(usage);
      return usage;
    },
    storage: createMemoryStorage(),
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    timers: {
      setTimer: (fn, ms) => Number(clock.setTimeout(fn, ms)),
      clearTimer: (id) => clock.clearTimeout(id),
    },
    now: () => clock.now,
    onSurfaceChange: () => {},
    // As the standalone server warms: every rule, the bundled price table.
    rules: STANDARD_RULES,
    prices: DEFAULT_PRICES,
  });
  const id = "trace";
  await warmer.setEnabled(id, rule.enabled);
  if (Object.keys(rule.limits).length > 0) await warmer.setSpendLimits(id, rule.limits);
  for (const gap of gapsMs) {
    // A real turn: its first request finds the prefix cached or writes it again.
    warmer.onTurnStarted(id);
    const usage = (await cache.warm(id, { modelName: MODEL })) as WarmResult;
    charge(usage);
    const asHit = {
      ...usage,
      cacheReadTokens: usage.cacheReadTokens + usage.cacheWriteTokens,
      cacheWriteTokens: 0,
    };
    outcome.floorUsd += warmCostUsd(outcome.turns === 0 ? usage : asHit, SIM_PRICING);
    outcome.turns += 1;
    if (usage.cacheReadTokens > 0) outcome.hits += 1;
    await warmer.onTurnSettled(id, { modelName: MODEL });
    await clock.tickAsync(Math.round(gap));
  }
  warmer.dispose();
  return outcome;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function main(): Promise<void> {
  console.log(
    `# ${TURNS_PER_TRACE} turns per trace, seeds ${SEEDS.join(", ")}; model "sim" ` +
      `($${SIM_PRICING.inputPerMTok}/MTok in, write ×1.25, read ×0.1, 5-min TTL, 20 000-token prefix)`,
  );
  console.log("# cost: every warm plus every real turn's cached prefix (read or re-write), USD");
  const rows: string[] = [];
  let verdicts = 0;
  let passed = 0;
  for (const [name, distribution] of Object.entries(DISTRIBUTIONS)) {
    console.log(`\n## ${name}: ${distribution.about}`);
    console.log("| rule | cost (median of seeds) | × cheapest fixed | hit rate | warms |");
    console.log("|---|---:|---:|---:|---:|");
    const results = new Map<string, Outcome[]>();
    for (const seed of SEEDS) {
      const rand = random(seed * 7919 + name.length);
      const gaps = Array.from({ length: TURNS_PER_TRACE }, () => distribution.gap(rand));
      for (const rule of RULES) {
        const list = results.get(rule.name) ?? [];
        list.push(await replay(gaps, rule));
        results.set(rule.name, list);
      }
    }
    const summary = (rule: string) => {
      const list = results.get(rule) ?? [];
      return {
        cost: median(list.map((o) => o.costUsd)),
        hitRate: median(list.map((o) => o.hits / o.turns)),
        warms: median(list.map((o) => o.warms)),
      };
    };
    const fixedRules = ["fixed, no cap", "fixed, idle cap 15"].map((rule) => ({
      rule,
      ...summary(rule),
    }));
    const cheapest = fixedRules.reduce((a, b) => (b.cost < a.cost ? b : a));
    for (const rule of RULES) {
      const s = summary(rule.name);
      const line = `| ${rule.name} | $${s.cost.toFixed(4)} | ${(s.cost / cheapest.cost).toFixed(2)} | ${(100 * s.hitRate).toFixed(1)}% | ${s.warms} |`;
      console.log(line);
      rows.push(line);
    }
    const floor = median((results.get("no warming") ?? []).map((o) => o.floorUsd));
    const floorLine = `| floor: every turn but the first a hit, no warms | $${floor.toFixed(4)} | ${(floor / cheapest.cost).toFixed(2)} | 100% | 0 |`;
    console.log(floorLine);
    const none = summary("no warming");
    const be = summary("break-even");
    if (floor > 0.8 * cheapest.cost) {
      console.log(
        `no rule can meet ≤0.8× here: the turns' own reads (the floor) already cost ×${(floor / cheapest.cost).toFixed(2)}`,
      );
    }
    const ok =
      be.cost <= 0.8 * cheapest.cost && be.hitRate >= cheapest.hitRate && be.cost <= none.cost;
    verdicts += 1;
    if (ok) passed += 1;
    console.log(
      `break-even vs ${cheapest.rule}: cost ×${(be.cost / cheapest.cost).toFixed(2)}, ` +
        `hit rate ${(100 * be.hitRate).toFixed(1)}% vs ${(100 * cheapest.hitRate).toFixed(1)}%, ` +
        `vs no warming ×${(be.cost / none.cost).toFixed(2)} → ${ok ? "meets" : "misses"} the target`,
    );
  }
  console.log(
    `\n${passed} of ${verdicts} distributions meet the target (≤0.8× cost, ≥ hit rate, ≤ no warming)`,
  );
}

await main();
