// pnpm bench: prints a table per section and one JSON line with every number.
import { benchHttpOverhead } from "./http-overhead.js";
import { benchScale } from "./scale.js";
import { benchScopedPush } from "./scoped-push.js";
import { benchTimerAccuracy } from "./timer-accuracy.js";

const started = performance.now();
const results: Record<string, unknown> = {};

console.log("\n## Scoped push: one POST /chat/warm with S conversations subscribed");
const scoped = [];
for (const subscribed of [1, 100, 10_000]) scoped.push(await benchScopedPush(subscribed, 200));
console.table(scoped);
results.scopedPush = scoped;

console.log(
  "\n## HTTP overhead: POST /chat/warm via warmNow vs a bare route (autocannon, 10 conns, 5 s)",
);
const http = await benchHttpOverhead(5);
console.table({ bare: http.bare, viaWarmer: http.viaWarmer });
console.log(`throughput ratio (via warmer / bare): ${http.throughputRatio}`);
results.httpOverhead = http;

console.log("\n## Scale: 100 000 enabled, idle conversations");
const scale = await benchScale(100_000);
console.table([scale]);
results.scale = scale;

console.log("\n## Timer accuracy: real timers, 1 000 conversations on 1–2 s intervals, 6 s");
const accuracy = await benchTimerAccuracy(1_000, 6_000);
console.table([accuracy]);
results.timerAccuracy = accuracy;

results.totalSeconds = Math.round((performance.now() - started) / 100) / 10;
results.node = process.version;
console.log(`\nfinished in ${results.totalSeconds} s`);
console.log(JSON.stringify(results));
