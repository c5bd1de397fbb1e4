import { TIMER_RENDERER_ID, type TimerPayload } from "@dispatch/cache-warming";
import type { SurfaceSpec } from "@dispatch/ui-contract";
import { afterEach, describe, expect, it } from "vitest";
import { postWarm, START, SurfaceClient, startTestServer, tempDataDir } from "./testing/helpers.js";

const INTERVAL = 240_000;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(...args: Parameters<typeof startTestServer>) {
  const started = await startTestServer(...args);
  cleanups.push(() => started.server.close());
  return started;
}

async function connect(url: string, origin?: string) {
  const client = await SurfaceClient.connect(url, origin ? { origin } : {});
  cleanups.push(() => client.close());
  return client;
}

function timerOf(spec: SurfaceSpec): TimerPayload {
  const field = spec.fields.find((f) => f.kind === "custom" && f.rendererId === TIMER_RENDERER_ID);
  if (field?.kind !== "custom") throw new Error("no timer field");
  return field.payload as TimerPayload;
}

function invoke(
  client: SurfaceClient,
  actionId: string,
  conversationId: string,
  payload?: unknown,
) {
  client.send({ type: "invoke", surfaceId: "cache-warming", actionId, conversationId, payload });
}

async function subscribe(client: SurfaceClient, conversationId: string) {
  client.send({ type: "subscribe", surfaceId: "cache-warming", conversationId });
  return client.take("surface");
}

describe("the server, end to end over real sockets", () => {
  it("sends the catalog on connect and the spec on subscribe, echoing the conversation", async () => {
    const { server } = await serve();
    const client = await connect(server.wsUrl);
    expect(await client.take("catalog")).toEqual({
      type: "catalog",
      catalog: [
        { id: "cache-warming", region: "side", title: "Cache Warming", scope: "conversation" },
      ],
    });
    const surface = await subscribe(client, "c1");
    expect(surface.conversationId).toBe("c1");
    expect(surface.spec.fields[0]).toMatchObject({
      kind: "toggle",
      label: "Enabled",
      value: false,
    });
    expect(timerOf(surface.spec)).toEqual({
      nextWarmAt: null,
      lastWarmAt: null,
      serverNow: START,
      state: "off",
      reason: null,
      intervalMs: 240_000,
      lastFailure: null,
      model: null,
    });
  });

  it("pushes an update with a future nextWarmAt when warming is toggled on", async () => {
    const { server } = await serve();
    const client = await connect(server.wsUrl);
    await subscribe(client, "c1");
    invoke(client, "cache-warming/toggle", "c1");
    const { update } = await client.take("update");
    expect(update.conversationId).toBe("c1");
    expect(update.spec.fields[0]).toMatchObject({ kind: "toggle", value: true });
    expect(timerOf(update.spec).nextWarmAt).toBe(START + INTERVAL);
  });

  it("pushes exactly one update per POST /chat/warm, with nextWarmAt = lastWarmAt + interval", async () => {
    const { server, clock } = await serve();
    const client = await connect(server.wsUrl);
    await subscribe(client, "c1");
    await server.warmer.setEnabled("c1", true);
    await server.warmer.onTurnSettled("c1");
    await client.drain();
    await clock.tickAsync(100_000);

    const res = await postWarm(server.httpUrl, { conversationId: "c1" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { lastWarmAt: number; nextWarmAt: number };
    const pushed = await client.drain();

    expect(pushed).toHaveLength(1);
    const update = pushed[0]!;
    if (update.type !== "update") throw new Error(`expected an update, got ${update.type}`);
    expect(timerOf(update.update.spec)).toMatchObject({
      lastWarmAt: START + 100_000,
      nextWarmAt: START + 100_000 + INTERVAL,
    });
    expect(body).toMatchObject({
      lastWarmAt: START + 100_000,
      nextWarmAt: START + 100_000 + INTERVAL,
    });
  });

  it("shows each client only its own conversation's updates", async () => {
    const { server } = await serve();
    const a = await connect(server.wsUrl);
    const b = await connect(server.wsUrl);
    await subscribe(a, "conv-a");
    await subscribe(b, "conv-b");
    await a.drain();
    await b.drain();

    const buildsBefore = server.registry.specBuilds();
    expect((await postWarm(server.httpUrl, { conversationId: "conv-a" })).status).toBe(200);

    // One spec built (for conv-a), none for conv-b.
    expect(server.registry.specBuilds() - buildsBefore).toBe(1);
    const toA = await a.drain();
    expect(toA.map((m) => m.type === "update" && m.update.conversationId)).toEqual(["conv-a"]);
    expect(await b.drain()).toEqual([]);
  });

  it("answers a malformed message with an error and keeps the socket and its subscriptions", async () => {
    const { server } = await serve();
    const client = await connect(server.wsUrl);
    await subscribe(client, "c1");
    for (const bad of [
      "{",
      '{"type":"dance"}',
      '{"type":"subscribe"}',
      '{"type":"chat.send","text":"hi"}',
    ]) {
      client.send(bad);
      expect(await client.take("error")).toMatchObject({ type: "error" });
    }
    client.send({ type: "invoke", surfaceId: "nope", actionId: "x" });
    expect(await client.take("error")).toEqual({
      type: "error",
      surfaceId: "nope",
      message: 'unknown surface "nope"',
    });
    await postWarm(server.httpUrl, { conversationId: "c1" });
    expect((await client.take("update")).update.conversationId).toBe("c1");
  });

  it("stops pushing to a client after it unsubscribes", async () => {
    const { server } = await serve();
    const client = await connect(server.wsUrl);
    await subscribe(client, "c1");
    client.send({ type: "unsubscribe", surfaceId: "cache-warming", conversationId: "c1" });
    await client.drain();
    expect((await postWarm(server.httpUrl, { conversationId: "c1" })).status).toBe(200);
    expect(await client.drain()).toEqual([]);
  });

  it("warms from the Warm now button over the socket", async () => {
    const { server } = await serve();
    const client = await connect(server.wsUrl);
    await subscribe(client, "c1");
    invoke(client, "cache-warming/warm-now", "c1");
    const { update } = await client.take("update");
    expect(timerOf(update.spec).lastWarmAt).toBe(START);
  });

  it("keeps warming state when a socket disconnects", async () => {
    const { server } = await serve();
    const client = await SurfaceClient.connect(server.wsUrl);
    await subscribe(client, "c1");
    invoke(client, "cache-warming/toggle", "c1");
    await client.take("update");
    await client.close();
    expect(server.warmer.getState("c1")).toMatchObject({
      enabled: true,
      nextWarmAt: START + INTERVAL,
    });
  });

  it("keeps settings across a restart on the same data dir", async () => {
    const dataDir = await tempDataDir();
    const first = await startTestServer({ dataDir });
    const client = await SurfaceClient.connect(first.server.wsUrl);
    await subscribe(client, "c1");
    invoke(client, "cache-warming/set-interval", "c1", { value: 90 });
    invoke(client, "cache-warming/toggle", "c1");
    await client.take("update");
    await client.take("update");
    await client.close();
    await first.server.close();

    const { server } = await serve({ dataDir });
    const again = await connect(server.wsUrl);
    const { spec } = await subscribe(again, "c1");
    expect(spec.fields[0]).toMatchObject({ kind: "toggle", value: true });
    expect(spec.fields[1]).toMatchObject({ kind: "number", value: 90 });
  });
});
