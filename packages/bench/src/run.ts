// pnpm bench: each section measured out of process where it matters, in a shuffled order,
// repeated and summarized (median, min–max). Prints a table per section and one JSON line.
import { here, runJson } from "./child.js";
import { benchFanout } from "./sections/fanout.js";
import { benchHttp } from "./sections/http.js";
import { benchStart } from "./sections/start.js";

const started = performance.now();
const results: Record<string, unknown> = {};

const sections: Record<string, () => Promise<void>> = {
  async http() {
    const http = await benchHttp(5, 4);
    console.log(
      "\n## POST /chat/warm: the real entry (its SQLite store on disk, and on tmpfs) vs a minimal Hono app (5 interleaved rounds, 4 s, 10 connections, default log level)",
    );
    console.table(
      Object.fromEntries(
        Object.entries(http.requestsPerSec).map(([target, rps]) => [
          target,
          { requestsPerSec: rps.median, p99Ms: (http.p99Ms[target] as { median: number }).median },
        ]),
      ),
    );
    console.log(
      `throughput ratio, disk: ${JSON.stringify(http.diskRatio)}; tmpfs: ${JSON.stringify(http.tmpfsRatio)}; non-2xx ${http.non2xx}, errors ${http.errors}`,
    );
    results.http = http;
  },
  async start() {
    const start = await benchStart(5);
    console.log("\n## pnpm start's server (the bundle, plain node): 5 starts");
    console.table([
      {
        listeningMedianMs: start.listeningMs.median,
        listeningRangeMs: `${start.listeningMs.min}–${start.listeningMs.max}`,
        idleRssMedianMb: start.idleRssMb.median,
        nodeProcesses: start.nodeProcesses,
      },
    ]);
    console.log(
      `a CLI call (--version, no source changed): bin ${JSON.stringify(start.cliBinMs)} ms, through pnpm ${JSON.stringify(start.cliThroughPnpmMs)} ms`,
    );
    results.start = start;
  },
  async memory() {
    const rows = [];
    for (const n of [10_000, 100_000, 1_000_000]) {
      rows.push(
        await runJson([
          "--expose-gc",
          "--max-old-space-size=6144",
          "--import",
          "tsx",
          here("sections/memory.ts"),
          "run",
          String(n),
        ]),
      );
    }
    console.log(
      "\n## Armed conversations (in-memory settings, production scheduler), one interval of fake time",
    );
    console.table(rows);
    results.memory = rows;
  },
  async timers() {
    const row = await runJson<{ latenessMs: { p50: number; p99: number; n: number } }>([
      "--import",
      "tsx",
      here("sections/timers.ts"),
      "run",
      "10000",
      "12000",
    ]);
    console.log(
      "\n## Timer lateness: 10 000 conversations every 5 s, the SQLite store on disk, real time, 12 s",
    );
    const { latenessMs, ...rest } = row;
    console.table([
      {
        ...rest,
        latenessP50Ms: latenessMs.p50,
        latenessP99Ms: latenessMs.p99,
        fires: latenessMs.n,
      },
    ]);
    results.timers = row;
  },
  async overload() {
    const row = await runJson([
      "--import",
      "tsx",
      here("sections/overload.ts"),
      "run",
      "10000",
      "20000",
    ]);
    console.log(
      "\n## Overload: 10 000 conversations warming every 5 s through the real entry (SQLite on disk, default log level), 20 s of /health probes every 100 ms",
    );
    console.table([row]);
    results.overload = row;
  },
  async fanout() {
    const rows = await benchFanout([1, 100, 1000], 20);
    console.log("\n## Fan-out: S subscribers of one conversation, 20 POST /chat/warm each");
    console.table(
      rows.map((r) => ({
        subscribers: r.subscribers,
        ...r.receiptMs,
        postAnswerMedianMs: r.postAnswerMs.median,
      })),
    );
    results.fanout = rows;
  },
};

// A shuffled order, so no section always runs warm or cold; the seed is printed.
const seed = Number(process.env.BENCH_SEED ?? Date.now() % 100_000);
let state = seed;
const random = () => {
  state = (state * 48_271) % 2_147_483_647;
  return state / 2_147_483_647;
};
// BENCH_SECTIONS=http,timers runs only those (a quicker look at one figure).
const only = process.env.BENCH_SECTIONS?.split(",");
const order = Object.keys(sections)
  .sort(() => random() - 0.5)
  .filter((name) => only === undefined || only.includes(name));
console.log(`sections in order ${order.join(", ")} (BENCH_SEED=${seed})`);
for (const name of order) await (sections[name] as () => Promise<void>)();

results.order = order;
results.seed = seed;
results.totalSeconds = Math.round((performance.now() - started) / 100) / 10;
results.node = process.version;
console.log(`\nfinished in ${results.totalSeconds} s`);
console.log(JSON.stringify(results));
