// Mutation check: re-introduces known warmer bugs one at a time and reports which test suite
// catches each. Run: pnpm --filter @dispatch/cache-warming mutants
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const warmer = fileURLToPath(new URL("../src/warmer.js", import.meta.url));
const pure = fileURLToPath(new URL("../src/pure.js", import.meta.url));

const mutants: Array<[name: string, file: string, from: string, to: string]> = [
  [
    "a warm does not restart the countdown from now",
    warmer,
    "trigger, now);\n\t\trearm(c);",
    "trigger, now);\n\t\treconcile(c);",
  ],
  [
    "turn start does not cancel the timer",
    warmer,
    "active: true };\n\t\t\tcancelTimer(c);",
    "active: true };",
  ],
  [
    "a failed warm ends the schedule",
    warmer,
    "\t\trearm(c);\n\t\tnotify(c.id);\n\t\tif (attempt.kind",
    '\t\tif (attempt.kind === "ok") rearm(c);\n\t\telse cancelTimer(c);\n\t\tnotify(c.id);\n\t\tif (attempt.kind',
  ],
  [
    "warms in flight are not coalesced",
    warmer,
    "if (c.inFlight) return c.inFlight;\n\t\tconst flight",
    "const flight",
  ],
  [
    "a timer fire does not notify",
    warmer,
    "\t\tnotify(c.id);\n\t\tif (!shouldSchedule(c.state)) return;",
    "\t\tif (!shouldSchedule(c.state)) return;",
  ],
  [
    "armTimer leaks the previous timer",
    warmer,
    "function armTimer(c: Conversation): void {\n\t\tcancelTimer(c);",
    "function armTimer(c: Conversation): void {",
  ],
  [
    "cancelTimer keeps nextWarmAt",
    warmer,
    "\t\tc.timer = null;\n\t\tc.state = { ...c.state, nextWarmAt: null };\n\t}",
    "\t\tc.timer = null;\n\t}",
  ],
  [
    "a timed-out warm keeps the conversation busy",
    warmer,
    "\t\t\t\tif (settled) return;\n\t\t\t\tsettled = true;",
    '\t\t\t\tif (settled || attempt?.kind === "failure") return;\n\t\t\t\tsettled = true;',
  ],
  [
    "an answer landing with a close is recorded",
    warmer,
    "if (attempt === null || !isCurrent(c)) {",
    "if (attempt === null) {",
  ],
  [
    "re-enabling does not resume a paused schedule",
    warmer,
    "if ((after.enabled && !before.enabled) || limitsChanged)",
    "if (limitsChanged)",
  ],
  [
    "a failed warm moves lastWarmAt",
    pure,
    ": { ...state, lastError: attempt.error };",
    ": { ...state, lastError: attempt.error, lastWarmAt: now };",
  ],
  [
    "a manual warm does not reset the idle stretch",
    pure,
    'if (trigger === "manual") return resetIdleStretch(next);',
    'if (trigger === "manual") return next;',
  ],
  [
    "the idle cap is off by one",
    pure,
    "autoWarmsSinceTurn >= next.idleWarmCap",
    "autoWarmsSinceTurn > next.idleWarmCap",
  ],
];

function suiteFails(args: string[]): boolean {
  const run = spawnSync("pnpm", ["exec", "vitest", "run", ...args], { encoding: "utf8" });
  return run.status !== 0;
}

let missed = 0;
for (const [name, file, from, to] of mutants) {
  const original = readFileSync(file, "utf8");
  if (!original.includes(from)) {
    console.log(`stale   ${name} (pattern no longer in the source)`);
    missed += 1;
    continue;
  }
  writeFileSync(file, original.replace(from, to));
  try {
    const property = suiteFails(["--project", "@dispatch/cache-warming", "warmer.property"]);
    const unit = suiteFails([
      "--project",
      "@dispatch/cache-warming",
      "--exclude",
      "**/*.property.test.ts",
    ]);
    const caught = property || unit;
    if (!caught) missed += 1;
    console.log(
      `${caught ? "caught " : "MISSED "} ${name}  [property: ${property ? "fails" : "passes"}, unit: ${unit ? "fail" : "pass"}]`,
    );
  } finally {
    writeFileSync(file, original);
  }
}
console.log(`${mutants.length - missed} of ${mutants.length} mutants caught`);
process.exitCode = missed === 0 ? 0 : 1;
