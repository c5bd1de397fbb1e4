// The system clock is the one adapter on real time: checked against real time, briefly.
import { describe, expect, it } from "vitest";
import { systemClock } from "./clock.js";

describe("systemClock", () => {
  it("reads the wall clock, fires a timer, cancels one, and defers past pending I/O", async () => {
    const before = Date.now();
    expect(systemClock.now()).toBeGreaterThanOrEqual(before);
    const fired: string[] = [];
    systemClock.timers.setTimer(() => fired.push("kept"), 5);
    const cancelled = systemClock.timers.setTimer(() => fired.push("cancelled"), 5);
    systemClock.timers.clearTimer(cancelled);
    systemClock.defer?.(() => fired.push("deferred"));
    // A timer due after the others fires after them: by then they have had their turn.
    await new Promise((resolve) => systemClock.timers.setTimer(() => resolve(undefined), 10));
    expect(fired).toEqual(["deferred", "kept"]);
  });
});
