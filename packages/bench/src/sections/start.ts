// `pnpm start`'s server: the bundled entry run by plain node. Time from spawn to the first
// answered /health, idle RSS a second later, and how many node processes it runs. Also a CLI
// call that changes no source (`--version`), through its bin and through pnpm, interleaved.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { here, serverBundle } from "../child.js";
import { medianSpread } from "../stats.js";

async function once() {
  const started = performance.now();
  const child = spawn(process.execPath, [serverBundle], {
    env: {
      ...process.env,
      PORT: "24621",
      WS_PORT: "24623",
      DISPATCH_DATA_DIR: mkdtempSync(join(tmpdir(), "bench-start-")),
      LOG_LEVEL: "warn",
    },
    stdio: "ignore",
  });
  let listeningMs = Number.NaN;
  for (let i = 0; i < 1000; i++) {
    try {
      if ((await fetch("http://127.0.0.1:24621/health")).ok) {
        listeningMs = performance.now() - started;
        break;
      }
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const rssMb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
  let children = "";
  try {
    children = execFileSync("ps", ["--ppid", String(child.pid), "-o", "pid="], {
      encoding: "utf8",
    }).trim();
  } catch {
    // ps exits 1 when the process has no children: exactly what should happen.
  }
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
  return {
    listeningMs,
    rssMb,
    nodeProcesses: 1 + (children === "" ? 0 : children.split("\n").length),
  };
}

const repoRoot = here("../../..");

/** Milliseconds from spawn to exit of one CLI call. */
function cliCallMs(command: string, args: readonly string[]): number {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: "ignore" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}`);
  return performance.now() - started;
}

export async function benchStart(runs: number) {
  const samples = [];
  const binMs: number[] = [];
  const pnpmMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    samples.push(await once());
    binMs.push(cliCallMs(join(repoRoot, "node_modules/.bin/dispatch-cw"), ["--version"]));
    pnpmMs.push(cliCallMs("pnpm", ["-s", "dispatch-cw", "--version"]));
  }
  return {
    runs,
    listeningMs: medianSpread(samples.map((s) => s.listeningMs)),
    idleRssMb: medianSpread(samples.map((s) => s.rssMb)),
    nodeProcesses: Math.max(...samples.map((s) => s.nodeProcesses)),
    cliBinMs: medianSpread(binMs),
    cliThroughPnpmMs: medianSpread(pnpmMs),
  };
}
