// Malformed requests: each gets a clear 4xx with a JSON error and changes nothing.
import { describe, expect, it } from "vitest";
import { createFixture } from "./testing/fixtures.js";

const C = "conv-1";
const deep = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

const cases: Array<[string, string, Record<string, string>, number, RegExp]> = [
  ["empty body", "", {}, 400, /Invalid JSON body/],
  ["not JSON", "conversationId=c1", {}, 400, /Invalid JSON body/],
  ["truncated JSON", '{"conversationId":"c1"', {}, 400, /Invalid JSON body/],
  ["JSON null", "null", {}, 400, /^Request body must be a JSON object$/],
  ["JSON array", '["c1"]', {}, 400, /Field 'conversationId' is required/],
  ["JSON string", '"c1"', {}, 400, /^Request body must be a JSON object$/],
  ["JSON number", "42", {}, 400, /^Request body must be a JSON object$/],
  ["empty object", "{}", {}, 400, /Field 'conversationId' is required/],
  ["empty conversationId", '{"conversationId":""}', {}, 400, /must be a non-empty string/],
  ["numeric conversationId", '{"conversationId":1}', {}, 400, /Field 'conversationId'/],
  ["boolean conversationId", '{"conversationId":true}', {}, 400, /Field 'conversationId'/],
  ["null conversationId", '{"conversationId":null}', {}, 400, /Field 'conversationId'/],
  ["array conversationId", '{"conversationId":["c1"]}', {}, 400, /Field 'conversationId'/],
  ["object conversationId", '{"conversationId":{"id":"c1"}}', {}, 400, /Field 'conversationId'/],
  [
    "absurdly long conversationId",
    JSON.stringify({ conversationId: "x".repeat(300) }),
    {},
    400,
    /at most 256 characters/,
  ],
  [
    "numeric model",
    '{"conversationId":"c1","model":7}',
    {},
    400,
    /^Field 'model' must be a string$/,
  ],
  ["null cwd", '{"conversationId":"c1","cwd":null}', {}, 400, /^Field 'cwd' must be a string$/],
  ["object cwd", '{"conversationId":"c1","cwd":{}}', {}, 400, /^Field 'cwd' must be a string$/],
  ["proto key only", '{"__proto__":{"conversationId":"c1"}}', {}, 400, /Field 'conversationId'/],
  [
    "constructor key only",
    '{"constructor":{"prototype":{"x":1}}}',
    {},
    400,
    /Field 'conversationId'/,
  ],
  ["deep nesting", deep(1000), {}, 400, /Field 'conversationId'/],
  ["deep nesting in a field", `{"conversationId":${deep(500)}}`, {}, 400, /Field 'conversationId'/],
  [
    "huge body",
    JSON.stringify({ conversationId: "c1", pad: "x".repeat(10_000) }),
    {},
    413,
    /larger than 4096/,
  ],
  [
    "huge unicode body",
    JSON.stringify({ conversationId: "é".repeat(3000) }),
    {},
    413,
    /larger than/,
  ],
  ["lone surrogate id", '{"conversationId":"\\ud800"}', {}, 400, /well-formed/],
  ["id with NUL", '{"conversationId":"conv-1\\u0000"}', {}, 400, /control characters/],
  ["id with a newline", '{"conversationId":"conv-1\\nforged"}', {}, 400, /control characters/],
  [
    "text/plain body",
    '{"conversationId":"c1"}',
    { "content-type": "text/plain" },
    415,
    /application\/json/,
  ],
  [
    "form body",
    '{"conversationId":"c1"}',
    { "content-type": "application/x-www-form-urlencoded" },
    415,
    /application\/json/,
  ],
  ["no content type", '{"conversationId":"c1"}', { "content-type": "" }, 415, /application\/json/],
  [
    "cross-site request hiding its Origin",
    '{"conversationId":"c1"}',
    { "sec-fetch-site": "cross-site" },
    403,
    /origin not allowed/,
  ],
  [
    "foreign origin",
    '{"conversationId":"c1"}',
    { origin: "https://evil.example" },
    403,
    /origin not allowed/,
  ],
  ["null origin", '{"conversationId":"c1"}', { origin: "null" }, 403, /origin not allowed/],
  [
    "look-alike origin",
    '{"conversationId":"c1"}',
    { origin: "http://localhost.evil.example" },
    403,
    /origin/,
  ],
  [
    "foreign host (DNS rebinding)",
    '{"conversationId":"c1"}',
    { host: "evil.example:24203" },
    421,
    /localhost/,
  ],
  [
    "emoji id over 256 characters",
    JSON.stringify({ conversationId: "😀".repeat(300) }),
    {},
    400,
    /at most 256 characters/,
  ],
  ["trailing garbage", '{"conversationId":"c1"} x', {}, 400, /Invalid JSON body/],
];

describe("bad POST /chat/warm requests", () => {
  it.each(cases)("%s", async (_name, body, headers, status, message) => {
    const f = createFixture();
    await f.warmer.setEnabled(C, true);
    await f.warmer.onTurnSettled(C, {});
    const before = JSON.stringify(f.warmer.getState(C));
    f.updates.length = 0;

    const res = await f.post(body, headers);

    expect(res.status).toBe(status);
    const json = (await res.json()) as Record<string, unknown>;
    if (status === 200) {
      // The one valid request in the table: odd but legal unicode is just an id.
      expect(f.calls).toHaveLength(1);
      return;
    }
    expect(json).toEqual({ error: expect.stringMatching(message) });
    expect(f.calls).toHaveLength(0);
    expect(f.updates).toHaveLength(0);
    expect(JSON.stringify(f.warmer.getState(C))).toBe(before);
  });

  // Upstream's ids: any case, dots, spaces (the CLI's --conversation takes what a person types).
  it.each([
    ["upper case", "Conv-1"],
    ["a dot", "conv.1"],
    ["a space", "release notes"],
    ["an empty model", "c1", ""],
  ])("accepts an id with %s, as upstream does", async (_name, conversationId, model?: string) => {
    const f = createFixture();
    const res = await f.post({ conversationId, ...(model === undefined ? {} : { model }) });
    expect(res.status).toBe(200);
    expect(f.calls).toEqual([conversationId]);
  });

  it("answers 404 with JSON for unknown routes", async () => {
    const f = createFixture();
    const res = await f.app.request("/nope", { headers: { host: "localhost" } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "not found" });
  });
});
