// Mutation check: re-introduces known warmer bugs one at a time and reports which test suite
// catches each. Run: pnpm --filter @dispatch/cache-warming mutants
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const warmer = fileURLToPath(new URL("../src/warmer.ts", import.meta.url));
const pure = fileURLToPath(new URL("../src/pure.ts", import.meta.url));
const economics = fileURLToPath(new URL("../src/economics.ts", import.meta.url));

const mutants: Array<[name: string, file: string, from: string, to: string]> = [
  [
    "a warm does not restart the countdown from now",
    warmer,
    'if (attempt.kind === "ok") chargeBudget(c, attempt.usage);\n    rearm(c);',
    'if (attempt.kind === "ok") chargeBudget(c, attempt.usage);\n    reconcile(c);',
  ],
  [
    "turn start does not cancel the timer",
    warmer,
    "c.state = recordTurnStart({ ...c.state, active: true }, deps.now());\n      cancelTimer(c);",
    "c.state = recordTurnStart({ ...c.state, active: true }, deps.now());",
  ],
  [
    "a failed warm ends the schedule",
    warmer,
    "    rearm(c);\n    notify(c.id);\n    logWarm(",
    '    if (attempt.kind === "ok") rearm(c);\n    else cancelTimer(c);\n    notify(c.id);\n    logWarm(',
  ],
  ["warms in flight are not coalesced", warmer, "if (c.flight) return c.flight.done;", ""],
  [
    "a timer fire does not notify",
    warmer,
    "warmStartedAt: fires ? deps.now() : null };\n    notify(c.id);\n    if (!fires) return;",
    "warmStartedAt: fires ? deps.now() : null };\n    if (!fires) return;",
  ],
  [
    "armTimer leaks the previous timer",
    warmer,
    "function armTimer(c: Conversation, delayMs = effectiveIntervalMs(c.state)): void {\n    cancelTimer(c);",
    "function armTimer(c: Conversation, delayMs = effectiveIntervalMs(c.state)): void {",
  ],
  [
    "cancelTimer keeps nextWarmAt",
    warmer,
    "    c.state = { ...c.state, nextWarmAt: null, budgetRetryAt: null };\n  }",
    "    c.state = { ...c.state, budgetRetryAt: null };\n  }",
  ],
  [
    "a timed-out warm keeps the conversation busy",
    warmer,
    "    const settle = (outcome: { attempt: WarmAttempt; raw: WarmResult | null } | null) => {\n",
    "    const settle = (outcome: { attempt: WarmAttempt; raw: WarmResult | null } | null) => {\n" +
      '      if (outcome?.attempt.kind === "failure") return;\n',
  ],
  [
    "an answer landing with a close is recorded",
    warmer,
    "if (outcome === null || !isCurrent(c)) {",
    "if (outcome === null) {",
  ],
  [
    "re-enabling does not resume a paused schedule",
    warmer,
    "if (after.enabled && !before.enabled) c.state = resetIdleStretch(c.state);",
    "if (after.enabled && !before.enabled) c.state = applySpendGuard(c.state);",
  ],
  [
    "the warmer's own warm is recorded again from its completion event",
    warmer,
    "        c.flight.heldCompletions.push(usage);\n        return;",
    "        c.flight.heldCompletions.push(usage);",
  ],
  [
    "the warm timeout is one second short",
    warmer,
    "export const DEFAULT_WARM_TIMEOUT_MS = 30_000;",
    "export const DEFAULT_WARM_TIMEOUT_MS = 29_000;",
  ],
  [
    "a failed warm moves lastWarmAt",
    pure,
    ": { ...state, history, lastError: attempt.error, lastErrorAt: now };",
    ": { ...state, history, lastError: attempt.error, lastErrorAt: now, lastWarmAt: now };",
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
    "state.autoWarmsSinceTurn >= state.idleWarmCap",
    "state.autoWarmsSinceTurn > state.idleWarmCap",
  ],
  [
    "the default interval is not upstream's 240 s",
    pure,
    "export const DEFAULT_INTERVAL_MS = 240_000;",
    "export const DEFAULT_INTERVAL_MS = 240_001;",
  ],
  [
    "the interval may reach the cache 9 s before it expires, not 10",
    economics,
    "export const TTL_MARGIN_MS = 10_000;",
    "export const TTL_MARGIN_MS = 9_000;",
  ],
  [
    "a turn that found the cache alive by itself is credited to warming",
    pure,
    "    now - settled >= ttl;",
    "    now - settled >= 0;",
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
