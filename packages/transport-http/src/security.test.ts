import { describe, expect, it } from "vitest";
import { createAccessPolicy, parseList } from "./index.js";

describe("access policy", () => {
  // Built inside each test, so every case exercises the policy's construction too.
  const policy = () =>
    createAccessPolicy({
      extraOrigins: ["https://app.example/"],
      extraHosts: ["DevBox.lan"],
    });

  it.each([
    ["localhost:24203", true],
    ["LOCALHOST", true],
    ["127.0.0.1:24203", true],
    ["[::1]:24205", true],
    ["[::1]", true],
    ["devbox.lan:80", true],
    ["127.1:24203", false],
    ["localhost.:24203", false],
    ["localhost:abc", false],
    ["localhost:", false],
    ["[::1", false],
    ["evil.example", false],
    ["localhost.evil.example", false],
    ["localhost:80.evil.example", false],
    ["localhost:a:80", false],
    ["localhost:123456", false],
    [":80", false],
    ["[::1]x", false],
    ["localhost:24203x", false],
    ["127.0.0.1.nip.io", false],
    ["", false],
  ])("host %s → %s", (host, allowed) => {
    expect(policy().allowsHost(host)).toBe(allowed);
  });

  it.each([
    [undefined, true],
    ["http://localhost:5173", true],
    ["https://127.0.0.1", true],
    ["http://[::1]:3000", true],
    ["https://app.example", true],
    ["https://app.example:444", false],
    ["http://localhost.evil.example", false],
    ["file://", false],
    ["ws://localhost:3000", false],
    ["ftp://localhost", false],
    ["null", false],
    ["chrome-extension://abc", false],
    ["not a url", false],
  ])("origin %s → %s", (origin, allowed) => {
    expect(policy().allowsOrigin(origin)).toBe(allowed);
  });

  it.each([
    [undefined, "cross-site", false],
    [undefined, "same-origin", true],
    [undefined, null, true],
    ["http://localhost:5173", "cross-site", true],
    ["https://evil.example", null, false],
    ["https://evil.example", "same-origin", false],
  ] as const)("a request from %s, Sec-Fetch-Site %s → %s", (origin, site, allowed) => {
    expect(policy().allowsRequest(origin, site)).toBe(allowed);
  });

  it("trusts the machine's own names, in any case, as a host and as a page's host", () => {
    const named = createAccessPolicy({ localNames: ["DevBox", "devbox.LOCAL"] });
    expect(named.allowsHost("devbox:24203")).toBe(true);
    expect(named.allowsHost("DEVBOX.local")).toBe(true);
    expect(named.allowsOrigin("https://devbox.local:8443")).toBe(true);
    expect(named.allowsHost("otherbox")).toBe(false);
  });
});

describe("parseList", () => {
  it("splits on commas, trims, and drops blanks; nothing set is an empty list", () => {
    expect(parseList(" a, b ,,c ")).toEqual(["a", "b", "c"]);
    expect(parseList(undefined)).toEqual([]);
    expect(parseList("")).toEqual([]);
  });
});
