// The real entry under a warm load it may not keep up with: N conversations enabled on a 5 s
// interval (idle cap and dead-cache limit off, `fixed`), the bundled server with its SQLite
// store on this machine's disk and its default log level. Measured from outside: a /health
// probe every 100 ms (p50, p99, worst: the worst is at least the longest event-loop stall),
// and the warms made against the N / 5 s the settings ask for, from GET /stats.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serverBundle, startServer, stop } from "../child.js";
import { round, summarize } from "../stats.js";

const INTERVAL_S = 5;

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
}

/** Runs `task(i)` for i < n, `parallel` at a time. */
async function inParallel(n: number, parallel: number, task: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

const stats = async (url: string) =>
  (await (await fetch(`${url}/stats`)).json()) as Record<string, number>;

export async function benchOverload(conversations: number, measureMs: number) {
  const port = 24631;
  const url = `http://127.0.0.1:${port}`;
  const server = await startServer([serverBundle], `${url}/health`, {
    PORT: String(port),
    WS_PORT: String(port + 2),
    DISPATCH_DATA_DIR: mkdtempSync(join(tmpdir(), "bench-overload-")),
    DISPATCH_MAX_WARMS_PER_MINUTE: "0",
    DISPATCH_MAX_ENABLED_CONVERSATIONS: String(conversations),
    LOG_LEVEL: "info",
  });
  try {
    const setupStarted = performance.now();
    await inParallel(conversations, 32, async (i) => {
      const actions = `${url}/cache-warming/load-${i}/actions`;
      await post(`${actions}/set-spend-limits`, {
        idleWarmCap: 0,
        deadWarmLimit: 0,
        policy: "fixed",
      });
      await post(`${actions}/set-interval`, INTERVAL_S);
      await post(`${actions}/toggle`, true);
    });
    const setupMs = performance.now() - setupStarted;
    // Past the first interval, whose warms all fall due together.
    await new Promise((resolve) => setTimeout(resolve, (INTERVAL_S + 1) * 1_000));
    const before = await stats(url);
    const started = performance.now();
    const probes: number[] = [];
    let failedProbes = 0;
    while (performance.now() - started < measureMs) {
      const sent = performance.now();
      try {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
        await res.arrayBuffer();
        probes.push(performance.now() - sent);
      } catch {
        failedProbes += 1;
      }
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, 100 - (performance.now() - sent))),
      );
    }
    const elapsedS = (performance.now() - started) / 1000;
    const after = await stats(url);
    const warmsPerSecond = ((after.warmCalls ?? 0) - (before.warmCalls ?? 0)) / elapsedS;
    const askedPerSecond = conversations / INTERVAL_S;
    return {
      conversations,
      intervalS: INTERVAL_S,
      store: "sqlite on disk",
      logLevel: "info",
      setupS: round(setupMs / 1000, 1),
      healthMs: summarize(probes),
      healthWorstMs: round(Math.max(...probes)),
      failedProbes,
      warmsPerSecond: round(warmsPerSecond, 0),
      keptUp: round(warmsPerSecond / askedPerSecond),
      commitsPerWarm: round(
        ((after.commits ?? 0) - (before.commits ?? 0)) /
          Math.max(1, (after.warmCalls ?? 0) - (before.warmCalls ?? 0)),
      ),
      syncedCommits: (after.syncedCommits ?? 0) - (before.syncedCommits ?? 0),
    };
  } finally {
    await stop(server);
  }
}

if (process.argv[2] === "run") {
  console.log(
    JSON.stringify(await benchOverload(Number(process.argv[3]), Number(process.argv[4]))),
  );
}
