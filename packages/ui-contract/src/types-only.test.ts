// Upstream's `@dispatch/ui-contract` is types only: importing it runs nothing and it depends
// on nothing, so a merge that keeps upstream's package loses nothing of ours.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as contract from "./index.js";

describe("@dispatch/ui-contract", () => {
  it("exports no runtime value", () => {
    expect(Object.keys(contract)).toEqual([]);
  });

  it("has no dependencies", () => {
    const manifest = JSON.parse(
      readFileSync(new URL("../package.json", import.meta.url), "utf8"),
    ) as { dependencies?: Record<string, string> };
    expect(manifest.dependencies ?? {}).toEqual({});
  });
});
