import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, readableTime } from "./logger.js";

function captured(pretty: boolean) {
  const destination = new PassThrough();
  let out = "";
  destination.on("data", (chunk: Buffer) => {
    out += chunk.toString("utf8");
  });
  return { logger: createLogger({ level: "info", pretty, destination }), text: () => out };
}

describe("log lines", () => {
  const at = Date.UTC(2026, 11, 2, 3, 32, 2, 17);

  it("show epoch-ms fields as wall-clock times when pretty, and keep the numbers in JSON", () => {
    const pretty = captured(true);
    pretty.logger.info("cache-warming: warmed", {
      conversationId: "demo",
      nextWarmAt: at,
      cachePct: 87,
    });
    pretty.logger.flush();
    expect(pretty.text()).toContain(`nextWarmAt: ${readableTime(at)}`);
    expect(pretty.text()).not.toContain(String(at));
    expect(pretty.text()).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: cache-warming: warmed/);
    expect(pretty.text()).toContain("cachePct: 87");

    const json = captured(false);
    json.logger.info("cache-warming: warmed", { nextWarmAt: at });
    json.logger.flush();
    expect(JSON.parse(json.text())).toMatchObject({ msg: "cache-warming: warmed", nextWarmAt: at });
  });

  it("reads a time as HH:MM:SS and leaves anything else as it is", () => {
    expect(readableTime(at)).toMatch(/^\d\d:\d\d:02$/);
    expect(readableTime(null)).toBe("null");
    expect(readableTime("soon")).toBe("soon");
  });
});
