// Where the CLI looks for its server, and what it says when the server is not there or is not
// what it expected. No server of ours runs here: stand-ins answer, or nothing listens.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CLI_VERSION, runCli, serverAddresses } from "./cli.js";

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((r) => server.close(r));
});

function io(env: Record<string, string> = {}, signal?: AbortSignal) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    sink: {
      out: (line: string) => out.push(line),
      err: (line: string) => err.push(line),
      now: () => 0,
      env,
      ...(signal ? { signal } : {}),
    },
  };
}

/** A plain HTTP server answering every request with this status, content type and body. */
async function standIn(status: number, type: string, body: string): Promise<string> {
  const server = createServer((_req, res) =>
    res.writeHead(status, { "content-type": type }).end(body),
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the server's address", () => {
  it.each([
    ["the defaults", {}, {}, "http://127.0.0.1:24203", "ws://127.0.0.1:24205"],
    [
      "PORT and WS_PORT, as the server reads them",
      {},
      { PORT: "8000", WS_PORT: "8001" },
      "http://127.0.0.1:8000",
      "ws://127.0.0.1:8001",
    ],
    [
      "HOST, unless it binds every interface",
      {},
      { HOST: "0.0.0.0", PORT: "8000" },
      "http://127.0.0.1:8000",
      "ws://127.0.0.1:24205",
    ],
    ["an IPv6 HOST", {}, { HOST: "::1" }, "http://[::1]:24203", "ws://[::1]:24205"],
    [
      "DISPATCH_SERVER, the WebSocket on its host",
      {},
      { DISPATCH_SERVER: "http://box:9000/" },
      "http://box:9000",
      "ws://box:24205",
    ],
    [
      "--server over the environment, trailing slash dropped",
      { server: "http://a:1/" },
      { DISPATCH_SERVER: "http://b:2" },
      "http://a:1",
      "ws://a:24205",
    ],
    ["--http, the older spelling", { http: "http://a:1" }, {}, "http://a:1", "ws://a:24205"],
    [
      "--ws and DISPATCH_WS",
      { ws: "ws://c:3/" },
      { DISPATCH_WS: "ws://d:4" },
      "http://127.0.0.1:24203",
      "ws://c:3",
    ],
    ["an empty HOST", {}, { HOST: "" }, "http://127.0.0.1:24203", "ws://127.0.0.1:24205"],
    [
      "HOST ::, every interface",
      {},
      { HOST: "::" },
      "http://127.0.0.1:24203",
      "ws://127.0.0.1:24205",
    ],
    [
      "slashes at the end, however many",
      { server: "http://a:1//", ws: "ws://c:3//" },
      {},
      "http://a:1",
      "ws://c:3",
    ],
    ["an https server", { server: "https://a:1" }, {}, "https://a:1", "ws://a:24205"],
  ])("comes from %s", (_name, options, env, http, ws) => {
    expect(serverAddresses(options, env)).toEqual({ http, ws });
  });

  it("refuses an address that is not an http(s) URL, with exit 2", async () => {
    const { err, sink } = io();
    expect(await runCli(["--server", "localhost:24203", "status", "demo"], sink)).toBe(2);
    expect(err.join("\n")).toMatch(/must be http\(s\):\/\/…, not "localhost:24203"/);
    expect(await runCli(["--server", "not a url", "status", "demo"], io().sink)).toBe(2);
  });

  it("lists --server and --ws in every command's help", async () => {
    for (const command of ["status", "enable", "watch", "warm", "turn"]) {
      const { out, sink } = io();
      expect(await runCli([command, "--help"], sink)).toBe(0);
      expect(out.join("\n")).toMatch(/--server <url>[\s\S]*--ws <url>/);
    }
  });

  it("prints its version", async () => {
    const { out, sink } = io();
    expect(await runCli(["--version"], sink)).toBe(0);
    expect(out).toEqual([CLI_VERSION]);
  });
});

describe("what it says when the server is not what it expected", () => {
  it("names the HTTP address it could not reach and what to do, exit 1", async () => {
    const port = await closedPort();
    const { err, sink } = io({ PORT: String(port) });
    expect(await runCli(["status", "demo"], sink)).toBe(1);
    expect(err.join("\n")).toBe(
      `cannot reach the server at http://127.0.0.1:${port} (ECONNREFUSED): is it running? ` +
        "Start it with `pnpm start`, or give its address with --server or DISPATCH_SERVER",
    );
  });

  it("names the WebSocket it could not reach, exit 1", async () => {
    const port = await closedPort();
    const { err, sink } = io({ WS_PORT: String(port) });
    expect(await runCli(["enable", "demo"], sink)).toBe(1);
    expect(err.join("\n")).toMatch(
      new RegExp(
        `^cannot reach the surface WebSocket at ws://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`,
      ),
    );
  });

  it("says when --server is aimed at the WebSocket port", async () => {
    const url = await standIn(426, "text/plain", "expected a WebSocket upgrade\n");
    const { err, sink } = io();
    expect(await runCli(["--server", url, "warm", "demo"], sink)).toBe(1);
    expect(err.join("\n")).toMatch(
      /answered 426, not like a Dispatch cache-warming server: that is its WebSocket port/,
    );
  });

  it("says what answered when it is not JSON, with no WebSocket hint unless it was a 426", async () => {
    const url = await standIn(502, "text/html", "<h1>Bad gateway</h1>");
    const { err, sink } = io();
    expect(await runCli(["--server", url, "status", "demo"], sink)).toBe(1);
    expect(err).toEqual([`refused: ${url} answered 502, not like a Dispatch cache-warming server`]);
  });

  it("passes on a JSON refusal outside the dev routes as the server words it", async () => {
    const url = await standIn(404, "application/json", '{"error":"no such conversation"}');
    const { err, sink } = io();
    expect(await runCli(["--server", url, "status", "demo"], sink)).toBe(1);
    expect(err).toEqual(["refused: 404: no such conversation"]);
  });

  it.each(["enable", "watch"])(
    "%s stops at a WebSocket port that refuses the upgrade (exit 1, the status named)",
    async (command) => {
      const server = createServer();
      server.on("upgrade", (_req, socket) => socket.end("HTTP/1.1 403 Forbidden\r\n\r\n"));
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const ws = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { err, sink } = io();
      expect(await runCli(["--ws", ws, command, "demo"], sink)).toBe(1);
      expect(err).toEqual([`refused: ${ws} refused the WebSocket (403)`]);
    },
  );

  it("points at DISPATCH_DEV_ROUTES when the dev routes are off", async () => {
    const url = await standIn(404, "application/json", '{"error":"not found"}');
    const { err, sink } = io();
    expect(await runCli(["--server", url, "turn", "demo", "started"], sink)).toBe(1);
    expect(err.join("\n")).toBe(
      "refused: 404: the dev routes are off; start the server with DISPATCH_DEV_ROUTES=1",
    );
  });

  it("watch waits for a server that is down, trying again, until it is stopped (exit 0)", async () => {
    const port = await closedPort();
    const stop = new AbortController();
    const { err, sink } = io({ WS_PORT: String(port) }, stop.signal);
    const watching = runCli(["watch", "demo"], sink);
    await expect.poll(() => err.length, { timeout: 10_000 }).toBeGreaterThan(0);
    stop.abort();
    expect(await watching).toBe(0);
    expect(err).toEqual([`waiting for the server at ws://127.0.0.1:${port}…`]);
  });
});
