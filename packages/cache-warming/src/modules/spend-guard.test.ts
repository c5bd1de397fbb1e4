// The spend guard's rule for lifting pauses: a pause it set lasts while its limit holds; a
// policy's own pause lasts while that policy is in force.
import { describe, expect, it } from "vitest";
import type { CacheWarmingState, PauseReason, WarmPolicy } from "../state.js";
import { initialState } from "../transitions.js";
import { applySpendGuard } from "./spend-guard.js";

const paused = (pausedBy: PauseReason, over: Partial<CacheWarmingState> = {}) =>
  applySpendGuard({ ...initialState(), enabled: true, pausedBy, ...over }).pausedBy;

describe("the spend guard's pauses", () => {
  it("lifts its own pause once the limits no longer hold it", () => {
    expect(paused("idle-cap", { autoWarmsSinceTurn: 3 })).toBeNull();
    expect(paused("dead-cache", { deadWarmStreak: 1 })).toBeNull();
    expect(paused("idle-cap", { autoWarmsSinceTurn: 15 })).toBe("idle-cap");
    expect(paused("dead-cache", { deadWarmStreak: 2 })).toBe("dead-cache");
  });

  it("keeps a policy's pause while that policy is in force, and lifts it under fixed", () => {
    const under = (policy: WarmPolicy) => paused("not-worth-it", { policy });
    expect(under("break-even")).toBe("not-worth-it");
    expect(under("adaptive")).toBe("not-worth-it");
    expect(under("fixed")).toBeNull();
  });

  it("leaves pauses it does not own, and an unpaused state, as they are", () => {
    expect(paused("budget")).toBe("budget");
    expect(paused("self-caching")).toBe("self-caching");
    const calm = { ...initialState(), enabled: true };
    expect(applySpendGuard(calm)).toBe(calm);
  });
});
