import { TIMER_RENDERER_ID } from "@dispatch/cache-warming";
import type { SurfaceSpec, CacheWarmingTimerPayload as TimerPayload } from "@dispatch/ui-contract";
import { describe, expect, it } from "vitest";
import {
  advance,
  cleanupAfterEach,
  postWarm,
  START,
  SurfaceClient,
  startTestServer,
  tempDataDir,
} from "./testing/helpers.js";

const INTERVAL = 240_000;
const afterTest = cleanupAfterEach();

async function serve(...args: Parameters<typeof startTestServer>) {
  const started = await startTestServer(...args);
  afterTest(() => started.server.close());
  return started;
}

async function connect(url: string, origin?: string) {
  const client = await SurfaceClient.connect(url, origin ? { origin } : {});
  afterTest(() => client.close());
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
      intervalMs: 240_000,
      model: null,
      maxIntervalMs: 290_000,
      cacheTtlMs: 300_000,
      // The simulator prices warms that name no model as its own.
      pricesKnown: true,
      serverNow: START,
      state: "off",
      reason: null,
      pause: null,
      lastFailure: null,
      history: [],
      ledger: { spentUsd: 0, savedUsd: 0, netUsd: 0, warms: 0, turnsSaved: 0 },
      policy: "fixed",
      idleWarmCap: 15,
      autoWarmsSinceTurn: 0,
      lastRefusal: null,
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
    await server.warmer.onTurnSettled("c1", {});
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

describe("what the frontend sees of the schedule, over real sockets", () => {
  it("keeps the user's interval by default: a warm every 2 s, each re-armed 2 s on, until the idle cap says so", async () => {
    const { server, clock } = await serve();
    const client = await connect(server.wsUrl);
    await subscribe(client, "c2");
    invoke(client, "cache-warming/set-interval", "c2", 2);
    await client.take("update");
    invoke(client, "cache-warming/toggle", "c2", true);
    const armed = timerOf((await client.take("update")).update.spec);
    expect(armed).toMatchObject({ state: "scheduled", policy: "fixed", idleWarmCap: 15 });
    expect(armed.nextWarmAt).toBe(START + 2_000);

    const warmedAt: number[] = [];
    for (let warm = 1; warm <= 15; warm++) {
      await clock.tickAsync(2_000);
      expect(timerOf((await client.take("update")).update.spec).state).toBe("warming");
      const after = timerOf((await client.take("update")).update.spec);
      warmedAt.push(after.lastWarmAt as number);
      if (warm < 15) {
        expect(after).toMatchObject({ state: "scheduled", autoWarmsSinceTurn: warm });
        expect(after.nextWarmAt).toBe((after.lastWarmAt as number) + 2_000);
      } else {
        expect(after).toMatchObject({
          state: "paused",
          reason: "idle-cap",
          nextWarmAt: null,
          pause: { rule: "the idle cap" },
        });
      }
    }
    expect(warmedAt).toEqual(Array.from({ length: 15 }, (_, i) => START + 2_000 * (i + 1)));
    const schedule = server.warming.view("c2").schedule;
    expect(schedule).toMatch(/^Paused by the idle cap: 15 automatic warms since the last turn/);
    await clock.tickAsync(60_000);
    expect(server.warming.stats().warmCalls).toBe(15);
  });

  it("shows an automatic warm in flight as warming, not as a pause, then its failure and the recovery", async () => {
    const answers: Array<(outcome: unknown) => void> = [];
    const { server, clock } = await serve(
      {},
      {
        warm: {
          warm: () =>
            new Promise((resolve, reject) =>
              answers.push((outcome) =>
                outcome instanceof Error ? reject(outcome) : resolve(outcome as never),
              ),
            ),
        },
      },
    );
    const client = await connect(server.wsUrl);
    await subscribe(client, "c1");
    invoke(client, "cache-warming/toggle", "c1", true);
    await client.take("update");

    await clock.tickAsync(INTERVAL);
    const fired = timerOf((await client.take("update")).update.spec);
    expect(fired).toMatchObject({ state: "warming", reason: null, nextWarmAt: null });

    answers.shift()?.(new Error("provider down"));
    const failed = timerOf((await client.take("update")).update.spec);
    expect(failed).toMatchObject({
      state: "scheduled",
      lastWarmAt: null,
      lastFailure: { message: "provider down", at: START + INTERVAL },
      nextWarmAt: START + 2 * INTERVAL,
    });

    await clock.tickAsync(INTERVAL);
    await client.take("update");
    answers.shift()?.({
      inputTokens: 10,
      outputTokens: 1,
      cacheReadTokens: 10,
      cacheWriteTokens: 0,
    });
    const healed = timerOf((await client.take("update")).update.spec);
    expect(healed).toMatchObject({ lastFailure: null, lastWarmAt: START + 2 * INTERVAL });
  });

  it("shows a spend-guard pause with its reason, and a settled turn resuming it", async () => {
    const { server, clock } = await serve();
    const client = await connect(server.wsUrl);
    await subscribe(client, "c1");
    invoke(client, "cache-warming/set-spend-limits", "c1", { idleWarmCap: 1 });
    await client.take("update");
    invoke(client, "cache-warming/toggle", "c1", true);
    await client.take("update");
    await clock.tickAsync(INTERVAL);
    await client.take("update"); // the countdown reached zero
    const paused = timerOf((await client.take("update")).update.spec);
    expect(paused).toMatchObject({ state: "paused", reason: "idle-cap", nextWarmAt: null });

    await server.warmer.onTurnSettled("c1", { modelName: "sim" });
    const resumed = timerOf((await client.take("update")).update.spec);
    expect(resumed).toMatchObject({ state: "scheduled", reason: null, model: "sim" });
  });

  it("warms a manual warm's model once, and keeps the turn's model for the automatic warms", async () => {
    const calls: Array<string | undefined> = [];
    const { server, clock } = await serve(
      {},
      {
        warm: {
          warm: async (_id, opts) => {
            calls.push(opts?.modelName);
            return { inputTokens: 10, outputTokens: 1, cacheReadTokens: 10, cacheWriteTokens: 0 };
          },
        },
      },
    );
    const client = await connect(server.wsUrl);
    await subscribe(client, "c1");
    await server.warmer.setEnabled("c1", true);
    await server.warmer.onTurnSettled("c1", { modelName: "turn-model" });
    await client.drain();
    expect(
      (await postWarm(server.httpUrl, { conversationId: "c1", model: "ui-model" })).status,
    ).toBe(200);
    const afterManual = timerOf((await client.take("update")).update.spec);
    expect(afterManual.model).toBe("turn-model");
    expect(afterManual.history?.at(-1)).toMatchObject({ trigger: "manual", model: "ui-model" });
    await clock.tickAsync(INTERVAL);
    expect(calls).toEqual(["ui-model", "turn-model"]);
  });
});

describe("a restart", () => {
  it("resumes enabled schedules whose cache is alive at the right time; one whose cache died says so", async () => {
    const dataDir = await tempDataDir();
    const calls: string[] = [];
    const warm = {
      warm: async (id: string) => {
        calls.push(id);
        return { inputTokens: 10, outputTokens: 1, cacheReadTokens: 10, cacheWriteTokens: 0 };
      },
    };
    const first = await startTestServer({ dataDir }, { warm });
    await first.server.warmer.setEnabled("dead", true);
    await first.server.warmer.onTurnSettled("dead", { modelName: "m" });
    await advance(first, 100_000);
    await first.server.warmer.setEnabled("live", true);
    await first.server.warmer.onTurnSettled("live", { modelName: "m" });
    await advance(first, 10_000);
    await first.server.close();

    // Down until START + 320 s: "dead" was last touched 320 s ago, past the 300 s TTL.
    const second = await serve({ dataDir }, { warm }, START + 320_000);
    const { server } = second;
    const client = await connect(server.wsUrl);
    const live = timerOf((await subscribe(client, "live")).spec);
    expect(live).toMatchObject({ state: "scheduled", nextWarmAt: START + 340_000, model: "m" });
    const dead = await subscribe(client, "dead");
    expect(timerOf(dead.spec)).toMatchObject({
      state: "idle",
      reason: "cache-expired",
      nextWarmAt: null,
    });
    expect(dead.spec.fields.find((f) => f.kind === "stat" && f.label === "Schedule")).toMatchObject(
      {
        value:
          "Not resumed: the cache expired while the server was down. A turn or Warm now starts it again.",
      },
    );

    await advance(second, 19_999);
    expect(calls).toEqual([]);
    await advance(second, 1);
    expect(calls).toEqual(["live"]);
    await advance(second, INTERVAL * 2);
    expect(calls.filter((id) => id === "dead")).toEqual([]);
  });
});

describe("a restart keeps what the user saw and what the spend guard counted", () => {
  it("gives a new subscriber after a restart the warm history as it was made", async () => {
    const dataDir = await tempDataDir();
    const first = await startTestServer({ dataDir });
    const client = await SurfaceClient.connect(first.server.wsUrl);
    client.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: "c1" });
    await client.take("surface");
    await first.server.warmer.setEnabled("c1", true);
    await first.server.warmer.onTurnSettled("c1", { modelName: "sim" });
    await advance(first, INTERVAL);
    expect((await postWarm(first.server.httpUrl, { conversationId: "c1" })).status).toBe(200);
    await advance(first, INTERVAL);
    const updates = (await client.drain()).filter((m) => m.type === "update");
    const made = timerOf(updates.at(-1)!.update.spec).history;
    // The simulator's cache starts cold: the first warm writes it, the next ones read it.
    expect(made?.map((entry) => [entry.trigger, entry.at, entry.cachePct])).toEqual([
      ["auto", START + INTERVAL, 0],
      ["manual", START + INTERVAL, 100],
      ["auto", START + 2 * INTERVAL, 100],
    ]);
    await client.close();
    await first.server.close();

    const { server } = await serve({ dataDir }, {}, START + 2 * INTERVAL + 5_000);
    const fresh = await connect(server.wsUrl);
    expect(timerOf((await subscribe(fresh, "c1")).spec).history).toEqual(made);
  });

  it("keeps an idle-cap pause over every restart: no warm and no fresh cap until a turn", async () => {
    const dataDir = await tempDataDir();
    const calls: string[] = [];
    const warm = {
      warm: async (id: string) => {
        calls.push(id);
        return { inputTokens: 10, outputTokens: 1, cacheReadTokens: 10, cacheWriteTokens: 0 };
      },
    };
    const first = await startTestServer({ dataDir }, { warm });
    await first.server.warmer.setEnabled("c1", true);
    await first.server.warming.setSpendLimits("c1", { idleWarmCap: 3 });
    await first.server.warmer.onTurnSettled("c1", { modelName: "m" });
    await advance(first, INTERVAL * 4);
    expect(calls).toHaveLength(3);
    await first.server.close();

    for (let restart = 1; restart <= 3; restart++) {
      const at = START + INTERVAL * 3 + restart * 1_000;
      const running = await startTestServer({ dataDir }, { warm }, at);
      const { server } = running;
      const client = await SurfaceClient.connect(server.wsUrl);
      client.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: "c1" });
      expect(timerOf((await client.take("surface")).spec)).toMatchObject({
        state: "paused",
        reason: "idle-cap",
        nextWarmAt: null,
      });
      await advance(running, INTERVAL * 3);
      expect(calls).toHaveLength(3);
      await client.close();
      await server.close();
    }
  });
});

describe("the catalog", () => {
  it("is pushed again to connected clients when a surface registers, and not after it leaves", async () => {
    const { server } = await serve();
    const client = await connect(server.wsUrl);
    await client.take("catalog");
    const unregister = server.registry.register({
      catalogEntry: { id: "extra", region: "side", title: "Extra", scope: "global" },
      getSpec: () => ({ id: "extra", region: "side", title: "Extra", fields: [] }),
      invoke: async () => {},
    });
    const pushed = await client.take("catalog");
    expect(pushed.catalog.map((entry) => entry.id)).toEqual(["cache-warming", "extra"]);
    unregister();
    const after = await client.take("catalog");
    expect(after.catalog.map((entry) => entry.id)).toEqual(["cache-warming"]);
  });
});

describe("settings and the ledger over HTTP", () => {
  const action = (httpUrl: string, id: string, name: string, payload: unknown) =>
    fetch(`${httpUrl}/cache-warming/${id}/actions/${name}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
    });

  it("refuses an interval past the cache's lifetime with 400 and changes nothing", async () => {
    const { server } = await serve({ prices: { "hour-model": hourModel } });
    const tooLong = await action(server.httpUrl, "c1", "set-interval", 291);
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toEqual({
      error:
        "interval must be at most 290 s: sim's cache lives 300 s, so a later warm would find it expired and pay to write it again",
    });
    const state = await (await fetch(`${server.httpUrl}/cache-warming/c1`)).json();
    expect(state).toMatchObject({ intervalMs: 240_000, maxIntervalMs: 290_000 });

    const ok = await action(server.httpUrl, "c1", "set-interval", { value: 120 });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ intervalMs: 120_000 });
    const policy = await action(server.httpUrl, "c1", "set-spend-limits", { policy: "break-even" });
    expect(await policy.json()).toMatchObject({ policy: "break-even" });
    const unknown = await action(server.httpUrl, "c1", "warm-now", {});
    expect(unknown.status).toBe(404);
    // A model priced in the configuration brings its own cache lifetime.
    await server.warmer.onTurnSettled("c1", { modelName: "hour-model" });
    expect((await action(server.httpUrl, "c1", "set-interval", 3_590)).status).toBe(200);
    expect(await (await action(server.httpUrl, "c1", "set-interval", 3_591)).json()).toEqual({
      error: expect.stringMatching(
        /^interval must be at most 3590 s: hour-model's cache lives 3600 s/,
      ),
    });
  });

  it("shows what the simulator's warms cost in the state route", async () => {
    const { server, clock } = await serve();
    await action(server.httpUrl, "c1", "toggle", true);
    server.warmer.onTurnSettled("c1", { modelName: "sim" });
    await clock.tickAsync(INTERVAL);
    const state = (await (await fetch(`${server.httpUrl}/cache-warming/c1`)).json()) as {
      ledger: { spentUsd: number };
    };
    expect(state).toMatchObject({ enabled: true, pricesKnown: true, ledger: { warms: 1 } });
    expect(state.ledger.spentUsd).toBeGreaterThan(0);
  });
});

const hourModel = {
  inputPerMTok: 3,
  cacheWritePerMTok: 6,
  cacheReadPerMTok: 0.3,
  outputPerMTok: 15,
  cacheTtlMs: 3_600_000,
};
