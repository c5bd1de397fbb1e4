// The global budget's arithmetic: a token bucket refilled in proportion to time.
import { describe, expect, it } from "vitest";
import { takeFromBudget } from "./global-budget.js";

describe("the warm budget", () => {
  it("refills in proportion to time and per-minute rate, and says how long until the next", () => {
    // 30 a minute: one every 2 s.
    const empty = { tokens: 0, at: 0 };
    expect(takeFromBudget(empty, 1_000, 30)).toEqual({
      ok: false,
      budget: { tokens: 0.5, at: 1_000 },
      retryAfterMs: 1_000,
    });
    expect(takeFromBudget(empty, 2_000, 30)).toEqual({
      ok: true,
      budget: { tokens: 0, at: 2_000 },
    });
    expect(takeFromBudget({ tokens: 0.25, at: 0 }, 0, 60)).toMatchObject({ retryAfterMs: 750 });
  });
});
