// Mutation check: re-introduces known warmer bugs one at a time and reports which test suite
// catches each. Run: pnpm --filter @dispatch/cache-warming mutants
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const file = (path: string) => fileURLToPath(new URL(`../src/${path}`, import.meta.url));
const warmer = file("warmer.ts");
const path = file("warm-path.ts");
const call = file("warm-call.ts");
const countdown = file("countdown.ts");
const setters = file("settings-update.ts");
const transitions = file("transitions.ts");
const pure = file("pure.ts");
const modelCache = file("model-cache.ts");
const spendGuard = file("modules/spend-guard.ts");
const ledger = file("modules/ledger.ts");
const adaptive = file("modules/adaptive.ts");

const mutants: Array<[name: string, file: string, from: string, to: string]> = [
  [
    "a warm does not restart the countdown from now",
    path,
    "    host.rearm(c);\n    host.notify(c.id);\n    logWarm(",
    "    host.notify(c.id);\n    logWarm(",
  ],
  [
    "turn start does not cancel the timer",
    warmer,
    "      countdown.cancel(c);\n      notify(id);\n    },\n\n    onTurnSettled",
    "      notify(id);\n    },\n\n    onTurnSettled",
  ],
  [
    "a failed warm ends the schedule",
    path,
    "    host.rearm(c);\n    host.notify(c.id);\n    logWarm(",
    '    if (attempt.kind === "ok") host.rearm(c);\n    else c.state = { ...c.state, enabled: false };\n    host.notify(c.id);\n    logWarm(',
  ],
  ["warms in flight are not coalesced", path, "if (c.flight) return c.flight.done;", ""],
  [
    "a timer fire does not notify",
    countdown,
    "warmStartedAt: fires ? deps.now() : null };\n    host.notify(c.id);\n",
    "warmStartedAt: fires ? deps.now() : null };\n",
  ],
  [
    "arm leaks the previous timer",
    countdown,
    "function arm(c: Conversation, delayMs = effectiveIntervalMs(c.state)): void {\n    cancel(c);",
    "function arm(c: Conversation, delayMs = effectiveIntervalMs(c.state)): void {",
  ],
  [
    "cancel keeps nextWarmAt",
    countdown,
    "    c.state = { ...c.state, nextWarmAt: null, budgetRetryAt: null };\n  }",
    "    c.state = { ...c.state, budgetRetryAt: null };\n  }",
  ],
  [
    "a timed-out warm keeps the conversation busy",
    call,
    "  const settle = (outcome: CallOutcome | null) => {\n",
    '  const settle = (outcome: CallOutcome | null) => {\n    if (outcome?.attempt.kind === "failure") return;\n',
  ],
  [
    "an answer landing with a close is recorded",
    path,
    "if (outcome === null || !conversations.isCurrent(c)) {",
    "if (outcome === null) {",
  ],
  [
    "re-enabling does not resume a paused schedule",
    spendGuard,
    "    if (enabling) return resetIdleStretch(state);",
    "    if (enabling) return applySpendGuard(state);",
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
    transitions,
    ": { ...state, history, lastError: attempt.error, lastErrorAt: now };",
    ": { ...state, history, lastError: attempt.error, lastErrorAt: now, lastWarmAt: now };",
  ],
  [
    "a manual warm does not reset the idle stretch",
    spendGuard,
    'if (trigger === "manual") return resetIdleStretch(state);',
    'if (trigger === "manual") return state;',
  ],
  [
    "the idle cap is off by one",
    spendGuard,
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
    modelCache,
    "export const TTL_MARGIN_MS = 10_000;",
    "export const TTL_MARGIN_MS = 9_000;",
  ],
  [
    "a turn that found the cache alive by itself is credited to warming",
    ledger,
    "    now - settled >= ttl;",
    "    now - settled >= 0;",
  ],
  [
    "the adaptive policy never plays safe, whatever it has spent",
    adaptive,
    "return spentUsd > budget * optimumUsd ? safe : learnedStop(stopCostsUsd, costs);",
    "return learnedStop(stopCostsUsd, costs);",
  ],
  [
    "settings changes skip the rules (a new idle cap never pauses)",
    setters,
    "      if (enabling || limitsChanged) {",
    "      if (enabling) {",
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
