// `pnpm --filter @dispatch/bench core-cost <dir>`: this repo's core warmer beside upstream's,
// in one process, on the same instant warm service (which reports each completion, as
// upstream's orchestrator does), the same in-memory storage and the same timers that fire on
// demand. `<dir>` holds upstream's `packages/cache-warming/src/{pure,warmer}.ts` as copied from
// its repository into a scratch folder (never into this one). Rounds alternate the two and are
// repeated; each figure is the median (min–max) over rounds, and the ratio is ours ÷ upstream's
// within each round. Heap: bytes per armed conversation; CPU: µs per automatic warm (the timer
// fires, the warm is recorded, re-armed, notified) and per manual warm (ours: `warmNow`;
// upstream's route: the service's call, recorded from its completion event), and that route
// on each warmer (what both manual paths share: the rest of ours is `warmNow`'s own answer).
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createCacheWarmer } from "@dispatch/cache-warming";
import { heapUsedAfterGc, medianSpread, round, silentLogger } from "./stats.js";

const dir = process.argv[2] ?? process.env.UPSTREAM_CACHE_WARMING;
if (dir === undefined) {
  console.error("usage: core-cost <folder with upstream's pure.ts and warmer.ts>");
  process.exit(2);
}
const N = Number(process.env.CORE_COST_N ?? 100_000);
const ROUNDS = Number(process.env.CORE_COST_ROUNDS ?? 5);
const USAGE = { inputTokens: 1000, outputTokens: 1, cacheReadTokens: 1000, cacheWriteTokens: 0 };

type Factory = typeof createCacheWarmer;
const upstream = (await import(pathToFileURL(join(dir, "warmer.ts")).href)) as {
  createCacheWarmer: Factory;
};

/** Timers kept in a map and fired on demand (both warmers take upstream's `TimerDeps`). */
function manualTimers() {
  let nextId = 1;
  const pending = new Map<number, () => void>();
  return {
    setTimer(fn: () => void) {
      const id = nextId++;
      pending.set(id, fn);
      return id;
    },
    clearTimer: (id: number) => void pending.delete(id),
    /** Fires the timers armed so far (not those they arm). */
    fire() {
      const due = [...pending.entries()];
      for (const [id] of due) pending.delete(id);
      for (const [, fn] of due) fn();
    },
  };
}

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    get: async (key: string) => map.get(key) ?? null,
    set: async (key: string, value: string) => void map.set(key, value),
    delete: async (key: string) => void map.delete(key),
    has: async (key: string) => map.has(key),
    keys: async () => [...map.keys()],
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

async function measure(create: Factory) {
  const timers = manualTimers();
  let warms = 0;
  const warmer = create({
    warm: async (conversationId: string) => {
      warms += 1;
      warmer.onWarmCompleted({ conversationId, usage: USAGE });
      return USAGE;
    },
    storage: memoryStorage(),
    logger: silentLogger,
    timers,
    now: () => 1_000_000,
    onSurfaceChange() {},
  } as Parameters<Factory>[0]);
  const ids = Array.from({ length: N }, (_, i) => `conversation-${i}`);
  const before = heapUsedAfterGc();
  for (const id of ids) await warmer.setEnabled(id, true);
  const heapPerConversation = (heapUsedAfterGc() - before) / N;

  let cpu = cpuMicros();
  timers.fire();
  while (warms < N) await settle();
  const autoMicros = (cpuMicros() - cpu) / N;

  // Upstream's route: the service warms, its completion event records the warm.
  const byEvent = async (id: string) => {
    warms += 1;
    warmer.onWarmCompleted({ conversationId: id, usage: USAGE });
    return USAGE;
  };
  const manual = (id: string) =>
    create === createCacheWarmer
      ? (warmer as ReturnType<typeof createCacheWarmer>).warmNow(id)
      : byEvent(id);
  cpu = cpuMicros();
  for (const id of ids) await manual(id);
  const manualMicros = (cpuMicros() - cpu) / N;
  // The part both manual paths share: the same route, on each warmer.
  cpu = cpuMicros();
  for (const id of ids) await byEvent(id);
  const eventMicros = (cpuMicros() - cpu) / N;
  warmer.dispose();
  return { heapPerConversation, autoMicros, manualMicros, eventMicros };
}

const results = {
  ours: [] as Awaited<ReturnType<typeof measure>>[],
  upstream: [] as Awaited<ReturnType<typeof measure>>[],
};
const ratios = {
  heap: [] as number[],
  auto: [] as number[],
  manual: [] as number[],
  event: [] as number[],
};
for (let round = 0; round < ROUNDS; round++) {
  // Alternate which goes first, so warming up favours neither.
  const order = round % 2 === 0 ? (["ours", "upstream"] as const) : (["upstream", "ours"] as const);
  const got: Record<string, Awaited<ReturnType<typeof measure>>> = {};
  for (const which of order) {
    got[which] = await measure(which === "ours" ? createCacheWarmer : upstream.createCacheWarmer);
  }
  const ours = got.ours as Awaited<ReturnType<typeof measure>>;
  const theirs = got.upstream as Awaited<ReturnType<typeof measure>>;
  results.ours.push(ours);
  results.upstream.push(theirs);
  ratios.heap.push(ours.heapPerConversation / theirs.heapPerConversation);
  ratios.auto.push(ours.autoMicros / theirs.autoMicros);
  ratios.manual.push(ours.manualMicros / theirs.manualMicros);
  ratios.event.push(ours.eventMicros / theirs.eventMicros);
}

const column = (
  which: "ours" | "upstream",
  key: "heapPerConversation" | "autoMicros" | "manualMicros" | "eventMicros",
) => medianSpread(results[which].map((r) => r[key]));
console.log(
  `# ${N} conversations, ${ROUNDS} rounds alternating; Node ${process.version}; median (min–max)`,
);
console.log("| measure | ours | upstream | ours ÷ upstream |");
console.log("|---|---:|---:|---:|");
const row = (
  label: string,
  key: "heapPerConversation" | "autoMicros" | "manualMicros" | "eventMicros",
  ratio: number[],
) => {
  const a = column("ours", key);
  const b = column("upstream", key);
  const r = medianSpread(ratio);
  console.log(
    `| ${label} | ${a.median} (${a.min}–${a.max}) | ${b.median} (${b.min}–${b.max}) | ${round(r.median, 2)} (${round(r.min, 2)}–${round(r.max, 2)}) |`,
  );
};
row("heap bytes per armed conversation", "heapPerConversation", ratios.heap);
row("CPU µs per automatic warm", "autoMicros", ratios.auto);
row("CPU µs per manual warm", "manualMicros", ratios.manual);
row("CPU µs per warm recorded from its completion event alone", "eventMicros", ratios.event);
