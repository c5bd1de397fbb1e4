// Malformed surface messages and action payloads: each gets an `error`, the socket stays up,
// and neither the warmer's state nor the provider's call count moves.
import type { SurfaceSpec } from "@dispatch/ui-contract";
import type { WarmService } from "@dispatch/warm-service";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SurfaceClient, startTestServer } from "./testing/helpers.js";

const C = "c1";
const statOf = (spec: SurfaceSpec, label: string) => {
  const field = spec.fields.find((f) => f.kind === "stat" && f.label === label);
  return field?.kind === "stat" ? field.value : undefined;
};
/** What a message's JSON says, or null when it is none (or not an object). */
const jsonOf = (message: string): { type?: unknown; conversationId?: unknown } | null => {
  try {
    return JSON.parse(message) as { type?: unknown; conversationId?: unknown } | null;
  } catch {
    return null;
  }
};
const invoke = (actionId: string, payload?: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    type: "invoke",
    surfaceId: "cache-warming",
    actionId,
    conversationId: C,
    payload,
    ...extra,
  });

const cases: Array<[name: string, message: string, error: RegExp]> = [
  ["not JSON", "{type:subscribe}", /not valid JSON/],
  ["a JSON number", "42", /invalid message/],
  ["JSON null", "null", /invalid message/],
  ["an array", "[]", /invalid message/],
  ["no type", '{"surfaceId":"cache-warming"}', /invalid message/],
  ["unknown type", '{"type":"explode","surfaceId":"cache-warming"}', /invalid message/],
  ["a chat op", '{"type":"chat.send","conversationId":"c1","text":"hi"}', /not served here/],
  ["subscribe without surfaceId", '{"type":"subscribe"}', /surfaceId/],
  ["numeric surfaceId", '{"type":"subscribe","surfaceId":7}', /surfaceId/],
  [
    "empty conversationId",
    '{"type":"subscribe","surfaceId":"cache-warming","conversationId":""}',
    /conversationId/,
  ],
  [
    "absurd conversationId",
    JSON.stringify({
      type: "subscribe",
      surfaceId: "cache-warming",
      conversationId: "x".repeat(5000),
    }),
    /conversationId/,
  ],
  ["unknown surface", '{"type":"subscribe","surfaceId":"nope"}', /unknown surface/],
  ["invoke without actionId", '{"type":"invoke","surfaceId":"cache-warming"}', /actionId/],
  ["unknown action", invoke("cache-warming/explode"), /unknown action/],
  [
    "action without conversation",
    invoke("cache-warming/toggle", undefined, { conversationId: undefined }),
    /needs a conversationId/,
  ],
  ["toggle with a string", invoke("cache-warming/toggle", "on"), /toggle expects/],
  ["interval as a string", invoke("cache-warming/set-interval", "60"), /set-interval expects/],
  ["interval of zero", invoke("cache-warming/set-interval", 0), /at least 1 s/],
  ["negative interval", invoke("cache-warming/set-interval", { value: -5 }), /at least 1 s/],
  ["fractional interval", invoke("cache-warming/set-interval", 2.5), /whole number/],
  ["interval of a year", invoke("cache-warming/set-interval", 31_536_000), /at most 86400 s/],
  [
    "interval as NaN-ish object",
    invoke("cache-warming/set-interval", { value: null }),
    /set-interval expects/,
  ],
  [
    "proto pollution payload",
    invoke("cache-warming/set-interval", JSON.parse('{"__proto__":{"value":60}}')),
    /set-interval expects/,
  ],
];

describe("bad surface messages", () => {
  let calls = 0;
  const warm: WarmService = {
    async warm() {
      calls += 1;
      return { inputTokens: 10, outputTokens: 1, cacheReadTokens: 10, cacheWriteTokens: 0 };
    },
  };
  let started: Awaited<ReturnType<typeof startTestServer>>;
  let client: SurfaceClient;

  // A fresh server per case (not one for the table): what a case exercises stays inside it.
  beforeEach(async () => {
    started = await startTestServer({}, { warm });
    client = await SurfaceClient.connect(started.server.wsUrl);
    client.send({ type: "subscribe", surfaceId: "cache-warming", conversationId: C });
    await client.take("surface");
    await started.server.warmer.setEnabled(C, true);
    await started.server.warmer.onTurnSettled(C, {});
    await client.drain();
  });
  afterEach(async () => {
    try {
      // The subscription made before the bad message still works after it.
      await started.clock.tickAsync(1_000);
      client.send(invoke("cache-warming/warm-now"));
      expect((await client.take("update")).update.conversationId).toBe(C);
    } finally {
      await client.close();
      await started.server.close();
    }
  });

  it.each(cases)("%s", async (_name, message, error) => {
    const before = JSON.stringify(started.server.warmer.getState(C));
    const callsBefore = calls;
    client.send(message);
    expect(await client.take("error")).toMatchObject({
      type: "error",
      message: expect.stringMatching(error),
    });
    const after = await client.drain();
    // An action the surface refused is also shown in the spec (upstream's transport drops the
    // error frame): one update whose "Last refusal" says why; anything else pushes nothing.
    const parsed = jsonOf(message);
    const reachedSurface =
      parsed?.type === "invoke" && parsed.conversationId === C && !/actionId/.test(String(error));
    if (reachedSurface) {
      expect(after).toHaveLength(1);
      const refusal =
        after[0]?.type === "update" ? statOf(after[0].update.spec, "Last refusal") : "";
      expect(refusal).toMatch(error);
    } else {
      expect(after).toEqual([]);
    }
    expect(JSON.stringify(started.server.warmer.getState(C))).toBe(before);
    expect(calls).toBe(callsBefore);
  });

  it("closes a socket that sends more than 64 KiB in one message, and only that socket", async () => {
    const big = await SurfaceClient.connect(started.server.wsUrl);
    const closed = new Promise<number>((resolve) =>
      big.socket.once("close", (code) => resolve(code)),
    );
    big.send("x".repeat(70_000));
    expect(await closed).toBe(1009);
  });
});
