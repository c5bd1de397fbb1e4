// The countdown, as a panel that follows panel.ts shows it, against a real server in real time:
// `pnpm countdown`. Starts a server (loopback, ephemeral ports, a temporary data directory,
// the simulator answering in 300 ms), turns warming on with a 5 s interval, and renders like
// the web's panel: once per update and again at each `nextTickMs`. A sampler reads what is
// shown every 100 ms. Prints each value with how long it was shown; exits 1 unless one
// countdown reads 5, 4, 3, 2, 1 (then the warm) with each value held 1 s ± 50 ms.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { ephemeralConfig, startDispatchServer } from "@dispatch/server";
import type { SurfaceServerMessage, SurfaceSpec } from "@dispatch/ui-contract";
import WebSocket from "ws";
import { nextTickMs, remainingMs, renderPanel, timerOf } from "./panel";

const C = "countdown-demo";
const INTERVAL_S = 5;
const TOLERANCE_MS = 50;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const dataDir = await mkdtemp(join(tmpdir(), "dispatch-countdown-"));
const server = await startDispatchServer(
	ephemeralConfig({ dataDir, simulatorLatencyMs: 300 }),
	{ logger: quiet },
);
const socket = new WebSocket(server.wsUrl);
await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));

/** What the panel shows now, and when each value first appeared. */
let shown = "";
const changes: Array<{ at: number; text: string }> = [];
const samples: string[] = [];
let latest: { spec: SurfaceSpec; arrivedAt: number; clientNow: number } | null = null;
let tick: ReturnType<typeof setTimeout> | undefined;

function render(): void {
	if (latest === null) return;
	const elapsed = performance.now() - latest.arrivedAt;
	const text = renderPanel(latest.spec, elapsed, true, latest.clientNow).status;
	if (text !== shown) {
		shown = text;
		changes.push({ at: performance.now(), text });
	}
	clearTimeout(tick);
	const next = nextTickMs(remainingMs(timerOf(latest.spec), elapsed, latest.clientNow));
	if (next !== null) tick = setTimeout(render, next);
}

socket.on("message", (data) => {
	const message = JSON.parse(String(data)) as SurfaceServerMessage;
	const spec =
		message.type === "surface" ? message.spec : message.type === "update" ? message.update.spec : null;
	if (spec === null) return;
	latest = { spec, arrivedAt: performance.now(), clientNow: Date.now() };
	render();
});
const invoke = (actionId: string, payload?: unknown) =>
	socket.send(JSON.stringify({ type: "invoke", surfaceId: "cache-warming", conversationId: C, actionId, payload }));

socket.send(JSON.stringify({ type: "subscribe", surfaceId: "cache-warming", conversationId: C }));
invoke("cache-warming/set-interval", INTERVAL_S);
await server.warmer.onTurnSettled(C, { modelName: "sim" });
invoke("cache-warming/toggle", true);
const sampler = setInterval(() => samples.push(shown), 100);
await new Promise((resolve) => setTimeout(resolve, 2 * INTERVAL_S * 1000 + 1500));
clearInterval(sampler);
clearTimeout(tick);
socket.close();
await server.close();
await rm(dataDir, { recursive: true, force: true });

// One whole countdown: from a "Next warm in 0:05" to the next warm after it.
const start = changes.findIndex((c) => c.text === `Next warm in 0:0${INTERVAL_S}`);
const rows = changes.slice(start, start + INTERVAL_S + 1).map((c, i) => {
	const next = changes[start + i + 1];
	return { text: c.text, heldMs: next === undefined ? null : Math.round(next.at - c.at) };
});
console.log("shown                  held (ms)");
for (const row of rows) console.log(`${row.text.padEnd(22)} ${row.heldMs ?? ""}`);
console.log(`sampled every 100 ms: ${samples.length} samples, ${new Set(samples).size} distinct values`);
const expected = [5, 4, 3, 2, 1].map((s) => `Next warm in 0:0${s}`);
const ok =
	start >= 0 &&
	expected.every((text, i) => rows[i]?.text === text) &&
	rows[INTERVAL_S]?.text === "Warming now…" &&
	rows.slice(0, INTERVAL_S).every((r) => r.heldMs !== null && Math.abs(r.heldMs - 1000) <= TOLERANCE_MS) &&
	expected.every((text) => samples.includes(text));
console.log(ok ? "countdown: 5, 4, 3, 2, 1, each held 1 s ± 50 ms" : "countdown: NOT as expected");
process.exit(ok ? 0 : 1);
