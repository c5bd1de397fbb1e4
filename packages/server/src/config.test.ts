// Every environment variable docs/reference.md lists reaches the field it configures, with a
// value that is not its default; every malformed value is refused, naming the variable.
import { readFileSync } from "node:fs";
import { hostname } from "node:os";

import { describe, expect, it } from "vitest";
import {
  configFromEnv,
  DEFAULT_DATA_DIR,
  DEFAULT_MANUAL_WARM_MIN_GAP_MS,
  ephemeralConfig,
  machineNames,
} from "./config.js";

const cases: Array<[string, string, Record<string, unknown>]> = [
  ["PORT", "8100", { httpPort: 8100 }],
  ["WS_PORT", "8101", { wsPort: 8101 }],
  ["HOST", "::1", { host: "::1" }],
  ["DISPATCH_DATA_DIR", "/tmp/cw-data", { dataDir: "/tmp/cw-data" }],
  [
    "DISPATCH_ALLOWED_ORIGINS",
    "https://a.example, https://b.example",
    { allowedOrigins: ["https://a.example", "https://b.example"] },
  ],
  ["DISPATCH_ALLOWED_HOSTS", "box,box.lan", { allowedHosts: ["box", "box.lan"] }],
  ["DISPATCH_MANUAL_WARM_MIN_GAP_MS", "0", { manualWarmMinGapMs: 0 }],
  ["DISPATCH_CACHE_TTL_MS", "3600000", { cacheTtlMs: 3_600_000 }],
  [
    "DISPATCH_PRICES",
    '{"m":{"inputPerMTok":1,"cacheWritePerMTok":2,"cacheReadPerMTok":0.1,"outputPerMTok":5,"cacheTtlMs":300000}}',
    {
      prices: {
        m: {
          inputPerMTok: 1,
          cacheWritePerMTok: 2,
          cacheReadPerMTok: 0.1,
          outputPerMTok: 5,
          cacheTtlMs: 300_000,
        },
      },
    },
  ],
  ["DISPATCH_MAX_WARMS_PER_MINUTE", "0", { maxWarmsPerMinute: 0 }],
  ["DISPATCH_MAX_USD_PER_MINUTE", "0.25", { maxUsdPerMinute: 0.25 }],
  ["DISPATCH_DEFAULT_POLICY", "adaptive", { defaultPolicy: "adaptive" }],
  ["DISPATCH_SIMULATOR_LATENCY_MS", "0", { simulatorLatencyMs: 0 }],
  ["DISPATCH_SIMULATOR_BILL", "/tmp/bill.log", { simulatorBillPath: "/tmp/bill.log" }],
  ["DISPATCH_MAX_ENABLED_CONVERSATIONS", "7", { maxEnabledConversations: 7 }],
  ["DISPATCH_MAX_SOCKETS_PER_ADDRESS", "1000", { maxSocketsPerAddress: 1000 }],
  ["DISPATCH_DEV_ROUTES", "1", { devRoutes: true }],
  ["DISPATCH_CACHE_TIER", "1h", { cacheTier: "1h" }],
];

describe("configuration from the environment", () => {
  it.each(cases)("%s=%s reaches its field, and only it", (name, value, field) => {
    const defaults = configFromEnv({}).config;
    const { config } = configFromEnv({ [name]: value });
    expect(config).toMatchObject(field);
    // Nothing else moved: a variable read into the wrong field fails here.
    const changed = Object.keys(config).filter(
      (key) =>
        JSON.stringify(config[key as keyof typeof config]) !==
        JSON.stringify(defaults[key as keyof typeof defaults]),
    );
    expect(changed).toEqual(Object.keys(field));
  });

  it("has a row for every variable docs/reference.md lists (LOG_* are the logger's)", () => {
    const doc = readFileSync(new URL("../../../docs/reference.md", import.meta.url), "utf8");
    const table = doc.slice(doc.indexOf("## Configuration"), doc.indexOf("## HTTP routes"));
    const documented = [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.filter((name) => !name?.startsWith("LOG_")).sort()).toEqual(
      cases.map(([name]) => name).sort(),
    );
  });

  it("defaults when nothing is set", () => {
    expect(configFromEnv({}).config).toMatchObject({
      host: "127.0.0.1",
      httpPort: 24203,
      wsPort: 24205,
      dataDir: DEFAULT_DATA_DIR,
      devRoutes: false,
      maxUsdPerMinute: 0,
    });
  });

  it("defaults every field when nothing is set", () => {
    const { config, warning } = configFromEnv({});
    expect(config).toEqual({
      host: "127.0.0.1",
      httpPort: 24203,
      wsPort: 24205,
      dataDir: DEFAULT_DATA_DIR,
      allowedOrigins: [],
      allowedHosts: [],
      localNames: machineNames(hostname()),
      manualWarmMinGapMs: DEFAULT_MANUAL_WARM_MIN_GAP_MS,
      cacheTtlMs: 300_000,
      prices: {},
      cacheTier: "5m",
      maxWarmsPerMinute: 300,
      maxUsdPerMinute: 0,
      maxEnabledConversations: 500,
      maxSocketsPerAddress: 100,
      devRoutes: false,
      defaultPolicy: "fixed",
      simulatorLatencyMs: 300,
      simulatorBillPath: null,
    });
    expect(warning).toBeNull();
  });

  it("warns when it binds beyond loopback, naming the address", () => {
    expect(configFromEnv({ HOST: "0.0.0.0" }).warning).toBe(
      "binding 0.0.0.0: the server is reachable from other machines",
    );
    for (const host of ["127.0.0.1", "localhost", "::1"]) {
      expect(configFromEnv({ HOST: host }).warning).toBeNull();
    }
  });

  it("refuses PORT equal to WS_PORT in one line naming both, but lets both be 0 (picked by the OS)", () => {
    expect(() => configFromEnv({ PORT: "24205" })).toThrow(
      /^bad environment: PORT and WS_PORT are both 24205; the HTTP server and the surface WebSocket need a port each$/,
    );
    expect(() => configFromEnv({ PORT: "7000", WS_PORT: "7000" })).toThrow(/both 7000/);
    expect(configFromEnv({ PORT: "0", WS_PORT: "0" }).config).toMatchObject({
      httpPort: 0,
      wsPort: 0,
    });
  });

  it.each([
    ["PORT", "0"],
    ["PORT", "65535"],
    ["WS_PORT", "65535"],
    ["DISPATCH_CACHE_TTL_MS", "1"],
    ["DISPATCH_MAX_SOCKETS_PER_ADDRESS", "1"],
    ["DISPATCH_MAX_ENABLED_CONVERSATIONS", "0"],
    ["DISPATCH_MAX_USD_PER_MINUTE", "0"],
    ["DISPATCH_DEV_ROUTES", "0"],
    ["DISPATCH_CACHE_TIER", "5m"],
    ["DISPATCH_SIMULATOR_LATENCY_MS", "60000"],
  ])("accepts %s=%s, the edge of its range", (name, value) => {
    expect(() => configFromEnv({ [name]: value })).not.toThrow();
  });

  it.each([
    ["PORT", "http", /PORT/],
    ["PORT", "-1", /PORT/],
    ["PORT", "80.5", /PORT/],
    ["WS_PORT", "65536", /WS_PORT/],
    ["DISPATCH_DATA_DIR", "", /DISPATCH_DATA_DIR/],
    ["DISPATCH_MANUAL_WARM_MIN_GAP_MS", "-1", /DISPATCH_MANUAL_WARM_MIN_GAP_MS/],
    ["DISPATCH_CACHE_TTL_MS", "1.5", /DISPATCH_CACHE_TTL_MS/],
    ["DISPATCH_MAX_WARMS_PER_MINUTE", "-1", /DISPATCH_MAX_WARMS_PER_MINUTE/],
    ["DISPATCH_MAX_WARMS_PER_MINUTE", "1.5", /DISPATCH_MAX_WARMS_PER_MINUTE/],
    ["DISPATCH_MAX_USD_PER_MINUTE", "Infinity", /DISPATCH_MAX_USD_PER_MINUTE/],
    ["DISPATCH_MAX_ENABLED_CONVERSATIONS", "-1", /DISPATCH_MAX_ENABLED_CONVERSATIONS/],
    ["DISPATCH_MAX_SOCKETS_PER_ADDRESS", "1.5", /DISPATCH_MAX_SOCKETS_PER_ADDRESS/],
    ["DISPATCH_CACHE_TIER", "2h", /DISPATCH_CACHE_TIER/],
    ["DISPATCH_PRICES", "[]", /DISPATCH_PRICES/],
    ["PORT", "70000", /PORT/],
    ["WS_PORT", "-1", /WS_PORT/],
    ["DISPATCH_MANUAL_WARM_MIN_GAP_MS", "1.5", /DISPATCH_MANUAL_WARM_MIN_GAP_MS/],
    ["DISPATCH_CACHE_TTL_MS", "0", /DISPATCH_CACHE_TTL_MS/],
    ["DISPATCH_MAX_WARMS_PER_MINUTE", "lots", /DISPATCH_MAX_WARMS_PER_MINUTE/],
    ["DISPATCH_MAX_USD_PER_MINUTE", "-1", /DISPATCH_MAX_USD_PER_MINUTE/],
    ["DISPATCH_MAX_ENABLED_CONVERSATIONS", "2.5", /DISPATCH_MAX_ENABLED_CONVERSATIONS/],
    ["DISPATCH_MAX_SOCKETS_PER_ADDRESS", "0", /DISPATCH_MAX_SOCKETS_PER_ADDRESS/],
    ["DISPATCH_MAX_SOCKETS_PER_ADDRESS", "1001", /DISPATCH_MAX_SOCKETS_PER_ADDRESS/],
    ["DISPATCH_DEV_ROUTES", "yes", /DISPATCH_DEV_ROUTES/],
    ["DISPATCH_DEFAULT_POLICY", "cheap", /DISPATCH_DEFAULT_POLICY/],
    ["DISPATCH_SIMULATOR_LATENCY_MS", "60001", /DISPATCH_SIMULATOR_LATENCY_MS/],
    ["DISPATCH_SIMULATOR_LATENCY_MS", "-1", /DISPATCH_SIMULATOR_LATENCY_MS/],
    ["DISPATCH_DEV_ROUTES", "true", /DISPATCH_DEV_ROUTES/],
    ["DISPATCH_PRICES", "{", /DISPATCH_PRICES: not JSON/],
    ["DISPATCH_PRICES", '{"m":{"inputPerMTok":-1}}', /DISPATCH_PRICES/],
    ["HOST", "", /HOST/],
  ])("refuses %s=%s, naming it", (name, value, message) => {
    expect(() => configFromEnv({ [name]: value })).toThrow(message);
    expect(() => configFromEnv({ [name]: value })).toThrow(/^bad environment: /);
  });
});

describe("this machine's names, trusted like localhost", () => {
  it("are the host name and its .local form, in lower case", () => {
    expect(machineNames(" DevBox.local\n")).toEqual(["devbox", "devbox.local"]);
    expect(machineNames("devbox")).toEqual(["devbox", "devbox.local"]);
    // Only a trailing .local is the mDNS suffix.
    expect(machineNames("pc.localdomain")).toEqual(["pc.localdomain", "pc.localdomain.local"]);
  });

  it("are none for an empty name or localhost", () => {
    expect(machineNames("  ")).toEqual([]);
    expect(machineNames("localhost")).toEqual([]);
    expect(machineNames("localhost.local")).toEqual([]);
  });
});

describe("the ephemeral configuration of tests and tools", () => {
  it("is loopback, OS-chosen ports, settings in memory and nothing trusted beyond", () => {
    expect(ephemeralConfig()).toMatchObject({
      host: "127.0.0.1",
      httpPort: 0,
      wsPort: 0,
      dataDir: null,
      allowedOrigins: [],
      allowedHosts: [],
      localNames: [],
      devRoutes: false,
    });
    expect(ephemeralConfig({ devRoutes: true, httpPort: 9 })).toMatchObject({
      devRoutes: true,
      httpPort: 9,
    });
  });
});
