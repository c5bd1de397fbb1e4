import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, loggerOptionsFromEnv, readableTime } from "./logger.js";

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

describe("the logger's environment", () => {
  it("writes pretty lines on a terminal and JSON elsewhere, unless LOG_FORMAT says", () => {
    expect(loggerOptionsFromEnv({}, true)).toEqual({ level: "info", pretty: true });
    expect(loggerOptionsFromEnv({}, false)).toEqual({ level: "info", pretty: false });
    expect(loggerOptionsFromEnv({ LOG_FORMAT: "json" }, true).pretty).toBe(false);
    expect(loggerOptionsFromEnv({ LOG_FORMAT: "pretty" }, false).pretty).toBe(true);
    expect(loggerOptionsFromEnv({ LOG_LEVEL: "debug" }, false).level).toBe("debug");
  });

  it("refuses a level or format it does not know, naming the variable", () => {
    expect(() => loggerOptionsFromEnv({ LOG_LEVEL: "loud" }, false)).toThrow(
      /^bad environment: LOG_LEVEL: /,
    );
    expect(() => loggerOptionsFromEnv({ LOG_FORMAT: "xml" }, false)).toThrow(
      /^bad environment: LOG_FORMAT: /,
    );
  });
});

describe("a JSON line", () => {
  it("names its level in words, is written at once, and turns errors into their message", () => {
    const json = captured(false);
    json.logger.error("cache-warming: warm failed", { err: new Error("provider down"), n: 1 });
    const line = JSON.parse(json.text());
    expect(line).toMatchObject({ level: "error", msg: "cache-warming: warm failed" });
    expect(line).toMatchObject({ err: "provider down", n: 1 });
    expect(line).not.toHaveProperty("pid");
  });

  it("leaves out what is under its level", () => {
    const json = captured(false);
    json.logger.debug("quiet");
    json.logger.error("loud");
    expect(
      json
        .text()
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).msg),
    ).toEqual(["loud"]);
  });
});

describe("a pretty line", () => {
  it("is written at once, before the caller goes on (no flush needed)", () => {
    const pretty = captured(true);
    pretty.logger.info("cache-warming: warmed", { conversationId: "demo" });
    expect(pretty.text()).toContain("cache-warming: warmed");
    // Colours are for the terminal only: a stream gets plain text.
    expect(pretty.text()).not.toContain("\u001b[");
  });
});
