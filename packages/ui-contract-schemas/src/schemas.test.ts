// Each schema, rule by rule: what it keeps of a valid value (all of it), what it refuses, and
// the words it refuses with. A message that crosses a socket is judged by these.

import { readFileSync } from "node:fs";
import type { SurfaceField } from "@dispatch/ui-contract";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import {
  CONTRACT_VERSION,
  conversationIdSchema,
  describeIssues,
  surfaceCatalogEntrySchema,
  surfaceClientMessageSchema,
  surfaceFieldSchema,
  surfaceServerMessageSchema,
  surfaceSpecSchema,
} from "./index.js";

const action = { actionId: "cache-warming/toggle" };
const FIELDS: SurfaceField[] = [
  { kind: "toggle", label: "Warm", value: true, action },
  { kind: "progress", label: "Cache", value: 0.5 },
  {
    kind: "selector",
    label: "Model",
    value: "a",
    options: [{ value: "a", label: "A" }],
    action,
  },
  { kind: "stat", label: "Last Cache %", value: "87%" },
  { kind: "number", label: "Interval", value: 240, min: 1, max: 300, step: 1, unit: "s", action },
  { kind: "button", label: "Warm now", action },
  { kind: "custom", rendererId: "cache-warming-timer", payload: { nextWarmAt: 1 } },
];
const spec = {
  id: "cache-warming",
  region: "chat-sidebar",
  title: "Cache warming",
  fields: FIELDS,
};

const refusal = (schema: z.ZodType, value: unknown) => {
  const parsed = schema.safeParse(value);
  expect(parsed.success).toBe(false);
  return parsed.error as z.ZodError;
};

describe("fields", () => {
  it.each(FIELDS.map((field) => [field.kind, field]))("keeps a whole %s field", (_kind, field) => {
    expect(surfaceFieldSchema.parse(field)).toEqual(field);
  });

  it("keeps a number field without its optional bounds", () => {
    const bare = { kind: "number", label: "n", value: 1, action };
    expect(surfaceFieldSchema.parse(bare)).toEqual(bare);
  });

  it.each([
    ["an unknown kind", { kind: "slider", label: "x", value: 1 }],
    ["a toggle without its action", { kind: "toggle", label: "x", value: true }],
    ["an action without its id", { kind: "button", label: "x", action: {} }],
    ["an action with an empty id", { kind: "button", label: "x", action: { actionId: "" } }],
    ["a progress over 1", { kind: "progress", label: "x", value: 1.5 }],
    ["a progress under 0", { kind: "progress", label: "x", value: -0.1 }],
    ["a stat with a number", { kind: "stat", label: "x", value: 1 }],
    ["a selector option without a label", { ...FIELDS[2], options: [{ value: "a" }] }],
    ["a number field with a text bound", { ...FIELDS[4], min: "1" }],
    ["a custom field with no renderer", { kind: "custom", rendererId: "", payload: null }],
    ["a field with no label", { kind: "stat", value: "x" }],
  ])("refuses %s", (_name, value) => {
    refusal(surfaceFieldSchema, value);
  });
});

describe("specs and the catalog", () => {
  it("keeps a whole spec, and refuses one missing its id, region, title or fields", () => {
    expect(surfaceSpecSchema.parse(spec)).toEqual(spec);
    for (const key of ["id", "region", "title", "fields"] as const) {
      const { [key]: _dropped, ...rest } = spec;
      refusal(surfaceSpecSchema, rest);
    }
  });

  it("keeps a catalog entry with either scope or none, and refuses another scope", () => {
    const entry = { id: "cache-warming", region: "chat-sidebar", title: "Cache warming" };
    for (const scope of ["global", "conversation"]) {
      expect(surfaceCatalogEntrySchema.parse({ ...entry, scope })).toEqual({ ...entry, scope });
    }
    expect(surfaceCatalogEntrySchema.parse(entry)).toEqual(entry);
    refusal(surfaceCatalogEntrySchema, { ...entry, scope: "user" });
    refusal(surfaceCatalogEntrySchema, { region: "r", title: "t" });
  });
});

describe("client messages", () => {
  it.each([
    [{ type: "subscribe", surfaceId: "s" }],
    [{ type: "subscribe", surfaceId: "s", conversationId: "c" }],
    [{ type: "unsubscribe", surfaceId: "s", conversationId: "c" }],
    [{ type: "invoke", surfaceId: "s", actionId: "a" }],
    [{ type: "invoke", surfaceId: "s", actionId: "a", payload: { n: 1 }, conversationId: "c" }],
  ])("keeps %j whole", (message) => {
    expect(surfaceClientMessageSchema.parse(message)).toEqual(message);
  });

  it.each([
    ["an unknown type", { type: "poke", surfaceId: "s" }],
    ["an empty surface id", { type: "subscribe", surfaceId: "" }],
    ["a surface id over 256 characters", { type: "subscribe", surfaceId: "s".repeat(257) }],
    ["an invoke without an action", { type: "invoke", surfaceId: "s" }],
    ["an empty action id", { type: "invoke", surfaceId: "s", actionId: "" }],
    ["an action id over 256", { type: "invoke", surfaceId: "s", actionId: "a".repeat(257) }],
    ["a bad conversation id", { type: "unsubscribe", surfaceId: "s", conversationId: "a\nb" }],
    [
      "an invoke's bad conversation id",
      { type: "invoke", surfaceId: "s", actionId: "a", conversationId: "" },
    ],
  ])("refuses %s", (_name, message) => {
    refusal(surfaceClientMessageSchema, message);
  });

  it("accepts ids of exactly 256 characters", () => {
    const id = "s".repeat(256);
    expect(
      surfaceClientMessageSchema.parse({ type: "invoke", surfaceId: id, actionId: id }),
    ).toMatchObject({ surfaceId: id, actionId: id });
  });
});

describe("server messages", () => {
  const entry = { id: "cache-warming", region: "chat-sidebar", title: "Cache warming" };
  it.each([
    [{ type: "catalog", catalog: [entry] }],
    [{ type: "surface", spec }],
    [{ type: "surface", spec, conversationId: "c" }],
    [{ type: "update", update: { surfaceId: "cache-warming", spec, conversationId: "c" } }],
    [{ type: "update", update: { surfaceId: "cache-warming", spec } }],
    [{ type: "error", message: "nope" }],
    [{ type: "error", surfaceId: "cache-warming", message: "nope" }],
  ])("keeps %j whole", (message) => {
    expect(surfaceServerMessageSchema.parse(message)).toEqual(message);
  });

  it.each([
    ["a catalog of the wrong shape", { type: "catalog", catalog: [{ id: "x" }] }],
    ["a surface without its spec", { type: "surface" }],
    ["an update without its surface id", { type: "update", update: { spec } }],
    ["an update with a bad spec", { type: "update", update: { surfaceId: "s", spec: {} } }],
    ["an error without a message", { type: "error" }],
    ["an unknown type", { type: "push", spec }],
  ])("refuses %s", (_name, message) => {
    refusal(surfaceServerMessageSchema, message);
  });
});

describe("conversation ids", () => {
  it.each([
    ["a control character first", "\u0001abc"],
    ["a control character last", "abc\u001f"],
    ["DEL", "a\u007fb"],
    ["a lone low surrogate first", "\udc00a"],
    ["a high surrogate followed by a letter", "\ud800a"],
  ])("refuses %s", (_name, id) => {
    refusal(conversationIdSchema, id);
  });

  it("accepts a surrogate pair (an emoji) and every printable character around the control range", () => {
    for (const id of ["chat 😀", " ", "~", "\u0080é"])
      expect(conversationIdSchema.parse(id)).toBe(id);
  });

  it("says each problem in its own words", () => {
    const words = (id: string) => refusal(conversationIdSchema, id).issues.map((i) => i.message);
    expect(words("")).toEqual(["must not be empty", "must not contain control characters"]);
    expect(words("x".repeat(257))).toEqual(["must be at most 256 characters"]);
    expect(words("a\u0000")).toEqual(["must not contain control characters"]);
    expect(words("a\ud800")).toEqual(["must be well-formed Unicode (no lone surrogates)"]);
  });
});

describe("describeIssues", () => {
  it("names each issue by its dotted path, or the root, joined with '; '", () => {
    const error = refusal(z.object({ a: z.object({ b: z.string() }), c: z.number() }), {
      a: { b: 1 },
      c: "x",
    });
    expect(describeIssues(error, "body")).toBe(
      "a.b: Invalid input: expected string, received number; c: Invalid input: expected number, received string",
    );
    expect(describeIssues(refusal(z.string(), 1), "body")).toBe(
      "body: Invalid input: expected string, received number",
    );
  });
});

describe("the contract version", () => {
  it("is the one docs/contract.md documents", () => {
    const doc = readFileSync(new URL("../../../docs/contract.md", import.meta.url), "utf8");
    expect(doc).toContain(`frontend contract ${CONTRACT_VERSION})`);
    expect(CONTRACT_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
