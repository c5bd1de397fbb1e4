// POST /chat/warm through the production stack (the bundled entry: Host, Origin, CORS, body
// limit, zod, warmer, SQLite settings) against a minimal Hono app, both in their own
// processes, the load generator in a third; rounds interleaved, order alternating.
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

const load = (url: string, seconds: number) =>
  runJson<Load>(["--import", "tsx", here("load.ts"), url, String(seconds), "10", "1000"]);

export async function benchHttp(rounds: number, seconds: number) {
  const minimalUrl = "http://127.0.0.1:24611";
  const fullUrl = "http://127.0.0.1:24613";
  const minimal = await startServer(
    ["--import", "tsx", here("minimal-app.ts"), "24611"],
    `${minimalUrl}/health`,
  );
  const full = await startServer([serverBundle], `${fullUrl}/health`, {
    PORT: "24613",
    WS_PORT: "24615",
    DISPATCH_DATA_DIR: mkdtempSync(join(tmpdir(), "bench-http-")),
    DISPATCH_MAX_WARMS_PER_MINUTE: "0",
    DISPATCH_MANUAL_WARM_MIN_GAP_MS: "0",
    LOG_LEVEL: "warn",
  });
  try {
    await load(minimalUrl, 1); // warm-up, not counted
    await load(fullUrl, 1);
    const results: Array<{ minimal: Load; full: Load }> = [];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? ["minimal", "full"] : ["full", "minimal"];
      const measured: Partial<Record<"minimal" | "full", Load>> = {};
      for (const which of order as Array<"minimal" | "full">) {
        measured[which] = await load(which === "minimal" ? minimalUrl : fullUrl, seconds);
      }
      results.push(measured as { minimal: Load; full: Load });
    }
    const ratios = results.map((r) => r.full.requestsPerSec / r.minimal.requestsPerSec);
    const p99Gaps = results.map((r) => r.full.p99Ms - r.minimal.p99Ms);
    return {
      rounds,
      secondsPerRun: seconds,
      minimalRequestsPerSec: medianSpread(results.map((r) => r.minimal.requestsPerSec)),
      fullRequestsPerSec: medianSpread(results.map((r) => r.full.requestsPerSec)),
      throughputRatio: medianSpread(ratios),
      minimalP99Ms: medianSpread(results.map((r) => r.minimal.p99Ms)),
      fullP99Ms: medianSpread(results.map((r) => r.full.p99Ms)),
      p99GapMs: medianSpread(p99Gaps),
      non2xx: results.reduce((sum, r) => sum + r.full.non2xx + r.minimal.non2xx, 0),
      errors: results.reduce((sum, r) => sum + r.full.errors + r.minimal.errors, 0),
      ratioPerRound: ratios.map((r) => round(r)),
    };
  } finally {
    await stop(minimal);
    await stop(full);
  }
}
