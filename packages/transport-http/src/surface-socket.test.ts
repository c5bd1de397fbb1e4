// The surface protocol on one socket, against a stand-in for a `ws` socket: what the client
// is sent, what the registry is asked, and what the socket may make the server hold.
import { EventEmitter } from "node:events";
import {
  createSurfaceRegistry,
  SurfaceError,
  type SurfaceProvider,
} from "@dispatch/surface-registry";
import type { SurfaceSpec } from "@dispatch/ui-contract";
import { describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import { DEFAULT_SOCKET_LIMITS, type SocketLimits, serveSurfaceSocket } from "./surface-socket.js";

/** What the server sees of a `ws` socket: sends, pauses, closes, and a settable buffer. */
class FakeSocket extends EventEmitter {
  sent: Array<{ text: string; binary: boolean | undefined }> = [];
  bufferedAmount = 0;
  isPaused = false;
  pauses = 0;
  resumes = 0;
  closed: { code: number; reason: string } | null = null;
  send(data: string | Buffer, options: { binary?: boolean }) {
    this.sent.push({ text: data.toString(), binary: options.binary });
  }
  pause() {
    this.isPaused = true;
    this.pauses += 1;
  }
  resume() {
    this.isPaused = false;
    this.resumes += 1;
  }
  close(code: number, reason: string) {
    this.closed = { code, reason };
  }
  /** The client sends a text (or binary) frame. */
  receive(message: unknown, isBinary = false) {
    const text = typeof message === "string" ? message : JSON.stringify(message);
    this.emit("message", Buffer.from(text), isBinary);
  }
  messages(): Array<Record<string, unknown>> {
    return this.sent.map((m) => JSON.parse(m.text));
  }
  /** Messages sent since the last call. */
  take(): Array<Record<string, unknown>> {
    const taken = this.messages();
    this.sent = [];
    return taken;
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function stat(id: string, label: string): SurfaceSpec {
  return { id, region: "side", title: id, fields: [{ kind: "stat", label, value: "" }] };
}

/** A conversation surface whose `invoke` does what the test asks (resolve, block, throw). */
function setup(
  limits: Partial<SocketLimits> = {},
  onInvoke: (actionId: string) => unknown = () => undefined,
) {
  const registry = createSurfaceRegistry();
  let announce: (conversationId?: string) => void = () => {};
  const invoked: string[] = [];
  const provider: SurfaceProvider = {
    catalogEntry: { id: "s", region: "side", title: "s", scope: "conversation" },
    getSpec: ({ conversationId } = {}) => stat("s", conversationId ?? "none"),
    async invoke(actionId) {
      invoked.push(actionId);
      await onInvoke(actionId);
    },
    subscribe(onChange) {
      announce = onChange;
      return () => {};
    },
  };
  registry.register(provider);
  const socket = new FakeSocket();
  const warnings: Array<{ message: string; meta?: Record<string, unknown> | undefined }> = [];
  let time = 1_000;
  const served = serveSurfaceSocket(
    socket as unknown as WebSocket,
    registry,
    { warn: (message, meta) => warnings.push({ message, meta }) },
    { ...DEFAULT_SOCKET_LIMITS, ...limits },
    () => time,
  );
  return {
    registry,
    socket,
    served,
    warnings,
    invoked,
    change: (conversationId?: string) => announce(conversationId),
    setTime: (ms: number) => {
      time = ms;
    },
  };
}

const subscribe = (conversationId: string) => ({
  type: "subscribe",
  surfaceId: "s",
  conversationId,
});
const invoke = (actionId: string) => ({
  type: "invoke",
  surfaceId: "s",
  conversationId: "a",
  actionId,
});

describe("surface socket", () => {
  it("sends the catalog on connect and again when it changes", () => {
    const { socket, registry } = setup();
    expect(socket.take()).toEqual([
      {
        type: "catalog",
        catalog: [{ id: "s", region: "side", title: "s", scope: "conversation" }],
      },
    ]);
    registry.register({
      catalogEntry: { id: "t", region: "side", title: "t" },
      getSpec: () => stat("t", ""),
      invoke() {},
    });
    expect(socket.take().map((m) => (m.catalog as Array<{ id: string }>).map((e) => e.id))).toEqual(
      [["s", "t"]],
    );
    expect(socket.sent).toEqual([]);
  });

  it("answers a subscribe with the spec, then pushes each change as a text-frame update", async () => {
    const { socket, served, change, registry } = setup();
    socket.take();
    socket.receive(subscribe("a"));
    await flush();
    expect(socket.take()).toEqual([{ type: "surface", spec: stat("s", "a"), conversationId: "a" }]);
    expect(served.subscriptions()).toBe(1);
    change("a");
    expect(socket.sent.map((m) => m.binary)).toEqual([false]);
    expect(socket.take()).toEqual([
      { type: "update", update: { surfaceId: "s", spec: stat("s", "a"), conversationId: "a" } },
    ]);
    // Subscribing again to the same conversation replaces the subscription: one update, not two.
    socket.receive(subscribe("a"));
    await flush();
    socket.take();
    change("a");
    expect(socket.take()).toHaveLength(1);
    expect(served.subscriptions()).toBe(1);
    // Unsubscribing ends the pushes for that conversation only.
    socket.receive(subscribe("b"));
    await flush();
    socket.receive({ type: "unsubscribe", surfaceId: "s", conversationId: "a" });
    await flush();
    socket.take();
    change("a");
    change("b");
    expect(
      socket.take().map((m) => (m.update as { conversationId: string }).conversationId),
    ).toEqual(["b"]);
    expect(served.subscriptions()).toBe(1);
    expect(registry.hasSubscribers("s", "a")).toBe(false);
  });

  it("refuses binary frames, non-JSON, chat operations and malformed messages, and logs the malformed", async () => {
    const { socket, warnings } = setup();
    socket.take();
    socket.receive(subscribe("a"), true);
    socket.receive("{nope");
    socket.receive({ type: `chat.${"x".repeat(100)}` });
    socket.receive({ type: "subscribe" });
    await flush();
    const errors = socket.take();
    expect(errors).toEqual([
      { type: "error", message: "send JSON text frames" },
      { type: "error", message: "message is not valid JSON" },
      {
        type: "error",
        message: `"chat.${"x".repeat(59)}…" is not served here: this backend only serves surfaces`,
      },
      { type: "error", message: expect.stringMatching(/^invalid message: .*surfaceId/) },
    ]);
    expect(warnings.map((w) => w.message)).toEqual([
      "malformed surface message",
      "malformed surface message",
    ]);
    expect(warnings[0]?.meta).toEqual({ problem: "not JSON" });
    expect(String(warnings[1]?.meta?.problem)).toMatch(/surfaceId/);
  });

  it("shows the client only errors meant for it, first line and clipped, and names the surface", async () => {
    const { socket, warnings } = setup({}, (actionId) => {
      if (actionId === "exposed") throw new SurfaceError(`${"y".repeat(300)}\nsecond line`);
      if (actionId === "internal") throw new Error("EACCES /var/lib/secret");
      if (actionId === "thrown-string") throw "plain";
    });
    socket.take();
    socket.receive(invoke("exposed"));
    socket.receive(invoke("internal"));
    socket.receive(invoke("thrown-string"));
    socket.receive(invoke("fine"));
    await flush();
    expect(socket.take()).toEqual([
      { type: "error", surfaceId: "s", message: `${"y".repeat(200)}…` },
      { type: "error", surfaceId: "s", message: "the request failed on the server" },
      { type: "error", surfaceId: "s", message: "the request failed on the server" },
    ]);
    expect(warnings.map((w) => w.meta)).toEqual([
      {
        type: "invoke",
        surfaceId: "s",
        conversationId: "a",
        actionId: "exposed",
        error: `${"y".repeat(300)}\nsecond line`,
      },
      {
        type: "invoke",
        surfaceId: "s",
        conversationId: "a",
        actionId: "internal",
        error: "EACCES /var/lib/secret",
      },
      {
        type: "invoke",
        surfaceId: "s",
        conversationId: "a",
        actionId: "thrown-string",
        error: "plain",
      },
    ]);
    expect(warnings.every((w) => w.message === "surface request failed")).toBe(true);
  });

  it("echoes at most 64 characters of an unknown surface id", async () => {
    const { socket, warnings } = setup();
    socket.take();
    const long = `z${"q".repeat(99)}`;
    socket.receive({ type: "subscribe", surfaceId: long });
    await flush();
    const [error] = socket.take();
    expect(error?.surfaceId).toBe(`${long.slice(0, 64)}…`);
    expect(warnings[0]?.meta).toMatchObject({
      type: "subscribe",
      surfaceId: `${long.slice(0, 64)}…`,
      conversationId: null,
    });
    expect(warnings[0]?.meta).not.toHaveProperty("actionId");
  });

  it("holds at most maxSubscriptions, counting those still being set up", async () => {
    const { socket, served, warnings } = setup({ maxSubscriptions: 2 });
    socket.take();
    socket.receive(subscribe("a"));
    socket.receive(subscribe("b"));
    socket.receive(subscribe("c")); // sent before the first two are set up
    await flush();
    expect(socket.take()).toEqual([
      { type: "error", message: "at most 2 subscriptions per connection" },
      { type: "surface", spec: stat("s", "a"), conversationId: "a" },
      { type: "surface", spec: stat("s", "b"), conversationId: "b" },
    ]);
    // Re-subscribing to one it holds is not a new one.
    socket.receive(subscribe("a"));
    await flush();
    expect(socket.take()).toEqual([{ type: "surface", spec: stat("s", "a"), conversationId: "a" }]);
    expect(served.subscriptions()).toBe(2);
    expect(warnings).toEqual([
      {
        message: "surface subscription refused: the connection's cap is reached",
        meta: { maxSubscriptions: 2 },
      },
    ]);
  });

  it("closes a socket whose client does not read (1013), and sends it nothing more", async () => {
    const { socket, change, warnings } = setup({ maxBufferedBytes: 100 });
    socket.receive(subscribe("a"));
    await flush();
    socket.take();
    socket.bufferedAmount = 100;
    change("a"); // at the bound: still sent
    expect(socket.take()).toHaveLength(1);
    socket.bufferedAmount = 101;
    change("a");
    expect(socket.closed).toEqual({ code: 1013, reason: "client is not reading its messages" });
    expect(warnings).toEqual([
      {
        message: "surface socket closed by a limit",
        meta: { reason: "client is not reading its messages" },
      },
    ]);
    socket.bufferedAmount = 0;
    change("a");
    socket.receive(subscribe("b"));
    await flush();
    expect(socket.sent).toEqual([]);
  });

  it("works on maxInFlight requests at once, pauses reading meanwhile, and resumes when done", async () => {
    const gates: Array<() => void> = [];
    const { socket, invoked } = setup({ maxInFlight: 2 }, (actionId) =>
      actionId.startsWith("slow") ? new Promise<void>((resolve) => gates.push(resolve)) : undefined,
    );
    socket.receive(invoke("slow-1"));
    socket.receive(invoke("slow-2"));
    await flush();
    expect(socket.isPaused).toBe(false);
    socket.receive(invoke("third"));
    socket.receive(invoke("fourth"));
    await flush();
    expect(invoked).toEqual(["slow-1", "slow-2"]);
    expect(socket.isPaused).toBe(true);
    expect(socket.pauses).toBe(1); // paused once, not once per held request
    gates.shift()?.();
    await flush();
    // One slot freed: the held requests run in order, and reading stays paused until none wait.
    expect(invoked).toEqual(["slow-1", "slow-2", "third", "fourth"]);
    expect(socket.isPaused).toBe(false);
    expect(socket.resumes).toBe(1);
    gates.shift()?.();
    await flush();
    expect(socket.resumes).toBe(1);
  });

  it("closes a socket (1008) whose held requests pass maxQueuedBytes, and drops them", async () => {
    const gates: Array<() => void> = [];
    const size = Buffer.byteLength(JSON.stringify(invoke("held-0")));
    const { socket, invoked } = setup({ maxInFlight: 1, maxQueuedBytes: 2 * size }, (actionId) =>
      actionId === "busy" ? new Promise<void>((resolve) => gates.push(resolve)) : undefined,
    );
    socket.receive(invoke("busy"));
    socket.receive(invoke("held-1"));
    socket.receive(invoke("held-2")); // exactly at the bound: still held
    expect(socket.closed).toBeNull();
    socket.receive(invoke("held-3"));
    expect(socket.closed).toEqual({
      code: 1008,
      reason: `more than ${2 * size} bytes of requests waiting`,
    });
    // Reading resumes so the close handshake completes; the held requests are dropped.
    expect(socket.isPaused).toBe(false);
    gates.shift()?.();
    await flush();
    expect(invoked).toEqual(["busy"]);
  });

  it("drops every subscription and the catalog listener when the socket closes", async () => {
    const { socket, registry, served, change } = setup();
    socket.receive(subscribe("a"));
    socket.receive(subscribe("b"));
    await flush();
    socket.emit("close");
    expect(registry.hasSubscribers("s", "a")).toBe(false);
    expect(registry.hasSubscribers("s", "b")).toBe(false);
    expect(served.subscriptions()).toBe(0);
    socket.take();
    change("a");
    registry.register({
      catalogEntry: { id: "t", region: "side", title: "t" },
      getSpec: () => stat("t", ""),
      invoke() {},
    });
    socket.receive(subscribe("c"));
    await flush();
    expect(socket.sent).toEqual([]);
  });

  it("drops a subscription that finishes setting up after the socket closed", async () => {
    const registry = createSurfaceRegistry();
    let release: () => void = () => {};
    registry.register({
      catalogEntry: { id: "s", region: "side", title: "s", scope: "conversation" },
      getSpec: () =>
        new Promise<SurfaceSpec>((resolve) => {
          release = () => resolve(stat("s", "late"));
        }),
      invoke() {},
    });
    const socket = new FakeSocket();
    serveSurfaceSocket(socket as unknown as WebSocket, registry, { warn() {} });
    socket.receive(subscribe("a"));
    await flush();
    socket.emit("close");
    release();
    await flush();
    release();
    await flush();
    expect(registry.hasSubscribers("s", "a")).toBe(false);
    expect(socket.messages().map((m) => m.type)).toEqual(["catalog"]);
  });

  it("tells when the client last said something, and logs socket errors clipped", () => {
    const { socket, served, setTime, warnings } = setup();
    expect(served.lastMessageAt()).toBe(1_000);
    setTime(5_000);
    socket.receive("{bad");
    expect(served.lastMessageAt()).toBe(5_000);
    warnings.length = 0;
    socket.emit("error", new Error("e".repeat(100)));
    expect(warnings).toEqual([
      { message: "surface socket error", meta: { error: `${"e".repeat(64)}…` } },
    ]);
  });

  it("has documented default limits", () => {
    expect(DEFAULT_SOCKET_LIMITS).toEqual({
      maxBufferedBytes: 1_048_576,
      maxSubscriptions: 100,
      maxInFlight: 16,
      maxQueuedBytes: 1_048_576,
    });
  });

  it("echoes an id of exactly 64 characters whole", async () => {
    const { socket } = setup();
    socket.take();
    const id = "q".repeat(64);
    socket.receive({ type: "subscribe", surfaceId: id });
    await flush();
    expect(socket.take()[0]?.surfaceId).toBe(id);
  });

  it("frees a subscription's place under the cap once it is dropped", async () => {
    const { socket, served } = setup({ maxSubscriptions: 2 });
    socket.receive(subscribe("a"));
    await flush();
    socket.receive({ type: "unsubscribe", surfaceId: "s", conversationId: "a" });
    socket.receive(subscribe("b"));
    socket.receive(subscribe("c"));
    await flush();
    expect(socket.messages().filter((m) => m.type === "error")).toEqual([]);
    expect(served.subscriptions()).toBe(2);
  });

  it("counts a held request's bytes out again once it runs", async () => {
    const gates: Array<() => void> = [];
    const size = Buffer.byteLength(JSON.stringify(invoke("held-0")));
    const { socket, invoked } = setup({ maxInFlight: 1, maxQueuedBytes: 2 * size }, (actionId) =>
      actionId.startsWith("busy") ? new Promise<void>((resolve) => gates.push(resolve)) : undefined,
    );
    socket.receive(invoke("busy-0"));
    socket.receive(invoke("busy-1"));
    socket.receive(invoke("held-2"));
    gates.shift()?.(); // busy-0 done: busy-1 runs, its bytes leave the queue
    await flush();
    socket.receive(invoke("held-3")); // the queue holds held-2 and held-3: at the bound
    expect(socket.closed).toBeNull();
    gates.shift()?.();
    await flush();
    expect(invoked).toEqual(["busy-0", "busy-1", "held-2", "held-3"]);
  });

  it("says where a whole message is wrong when it is not an object", async () => {
    const { socket } = setup();
    socket.take();
    socket.receive("42");
    await flush();
    expect(socket.take()).toEqual([
      { type: "error", message: expect.stringMatching(/^invalid message: message: /) },
    ]);
  });
});
