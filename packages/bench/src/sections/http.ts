// POST /chat/warm through the real entry (the bundled server: Host, Origin, CORS, body limit,
// zod, warmer, its SQLite store, the default log level) against a minimal Hono app that reads
// the body the same way, each in its own process, the load generator in another. The store on
// this machine's disk and, for comparison, on tmpfs (/dev/shm: the same SQLite, in memory).
// Rounds interleaved, the order rotating.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { here, runJson, serverBundle, startServer, stop } from "../child.js";
import { medianSpread, round } from "../stats.js";

interface Load {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

const TARGETS = ["minimal", "disk", "tmpfs"] as const;
type Target = (typeof TARGETS)[number];

const load = (url: string, seconds: number) =>
  runJson<Load>(["--import", "tsx", here("load.ts"), url, String(seconds), "10", "1000"]);

const realEntry = (port: number, dataDirIn: string) =>
  startServer([serverBundle], `http://127.0.0.1:${port}/health`, {
    PORT: String(port),
    WS_PORT: String(port + 1),
    DISPATCH_DATA_DIR: mkdtempSync(join(dataDirIn, "bench-http-")),
    DISPATCH_MAX_WARMS_PER_MINUTE: "0",
    DISPATCH_MANUAL_WARM_MIN_GAP_MS: "0",
  });

export async function benchHttp(rounds: number, seconds: number) {
  const urls: Record<Target, string> = {
    minimal: "http://127.0.0.1:24611",
    disk: "http://127.0.0.1:24613",
    tmpfs: "http://127.0.0.1:24617",
  };
  const servers = [
    await startServer(
      ["--import", "tsx", here("minimal-app.ts"), "24611"],
      `${urls.minimal}/health`,
    ),
    await realEntry(24613, tmpdir()),
    await realEntry(24617, "/dev/shm"),
  ];
  try {
    for (const target of TARGETS) await load(urls[target], 1); // warm-up, not counted
    const results: Array<Record<Target, Load>> = [];
    for (let round = 0; round < rounds; round++) {
      const measured: Partial<Record<Target, Load>> = {};
      for (let k = 0; k < TARGETS.length; k++) {
        const target = TARGETS[(round + k) % TARGETS.length] as Target;
        measured[target] = await load(urls[target], seconds);
      }
      results.push(measured as Record<Target, Load>);
    }
    const over = (target: Target, of: (l: Load) => number) =>
      medianSpread(results.map((r) => of(r[target])));
    const ratio = (target: Target) =>
      results.map((r) => r[target].requestsPerSec / r.minimal.requestsPerSec);
    return {
      rounds,
      secondsPerRun: seconds,
      logLevel: "info (the default)",
      requestsPerSec: Object.fromEntries(TARGETS.map((t) => [t, over(t, (l) => l.requestsPerSec)])),
      p99Ms: Object.fromEntries(TARGETS.map((t) => [t, over(t, (l) => l.p99Ms)])),
      diskRatio: medianSpread(ratio("disk")),
      tmpfsRatio: medianSpread(ratio("tmpfs")),
      diskRatioPerRound: ratio("disk").map((r) => round(r)),
      non2xx: results.reduce((sum, r) => sum + TARGETS.reduce((s, t) => s + r[t].non2xx, 0), 0),
      errors: results.reduce((sum, r) => sum + TARGETS.reduce((s, t) => s + r[t].errors, 0), 0),
    };
  } finally {
    for (const server of servers) await stop(server);
  }
}
