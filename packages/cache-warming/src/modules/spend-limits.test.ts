// The spend limits a user sets: the payload's words, the setter, and the action only the
// guard's rules add to the surface.
import { describe, expect, it } from "vitest";
import { ActionRejectedError } from "../payloads.js";
import { NO_RULES } from "../rules.js";
import { createCacheWarmingSurface } from "../surface.js";
import { createHarness } from "../testing/harness.js";
import { parseSpendLimitsPayload, SET_SPEND_LIMITS, setSpendLimits } from "./spend-limits.js";

describe("spend limits", () => {
  it("names the field a bad spend-limits payload got wrong", () => {
    expect(() => parseSpendLimitsPayload({ idleWarmCap: -1 })).toThrow(/: idleWarmCap: /);
    // Not an object at all: no field to name.
    expect(() => parseSpendLimitsPayload("x")).toThrow(
      "set-spend-limits expects { idleWarmCap?, deadWarmLimit?, policy? }: Invalid input: expected object, received string",
    );
    const error = (() => {
      try {
        parseSpendLimitsPayload("x");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ActionRejectedError);
    expect((error as Error).name).toBe("ActionRejectedError");
  });

  it("are an action of the guard's rules only: the core alone does not know it", async () => {
    const h = createHarness();
    const core = createCacheWarmingSurface(h.warmer, () => h.clock.now, NO_RULES);
    const ctx = { conversationId: "c" };
    await expect(core.invoke(SET_SPEND_LIMITS, { idleWarmCap: 3 }, ctx)).rejects.toThrow(
      'unknown action "cache-warming/set-spend-limits" on surface cache-warming',
    );
    for (const inherited of ["constructor", "__proto__", "toString"]) {
      await expect(h.surface.invoke(inherited, undefined, ctx)).rejects.toThrow(/unknown action/);
    }
    await h.surface.invoke(SET_SPEND_LIMITS, { idleWarmCap: 3 }, ctx);
    expect(h.warmer.getState("c").idleWarmCap).toBe(3);
  });

  it("refuses bad limits from a host before anything is stored", async () => {
    const h = createHarness();
    await expect(setSpendLimits(h.warmer, "c", { idleWarmCap: -1 })).rejects.toThrow(
      'spend limits must be whole numbers from 0 (off); policy "fixed", "break-even", "adaptive"',
    );
    expect(await h.storage.get("spend-limits:c")).toBeNull();
    expect(await setSpendLimits(h.warmer, "c", { deadWarmLimit: 0 })).toEqual({
      idleWarmCap: 15,
      deadWarmLimit: 0,
      policy: "adaptive",
    });
  });
});
