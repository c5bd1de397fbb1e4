// Upstream's `@dispatch/ui-contract` type names, used the way the web frontend uses them
// (its protocol state keeps a `SurfaceCatalog` and the last `SurfaceErrorMessage`; its reducer
// folds `SurfaceServerMessage`s). This file compiling is the first check; the schemas must
// accept every such value.
import type {
  ActionRef,
  ButtonField,
  CatalogMessage,
  CustomField,
  InvokeMessage,
  NumberField,
  ProgressField,
  Region,
  SelectorField,
  StatField,
  SubscribeMessage,
  SurfaceCatalog,
  SurfaceCatalogEntry,
  SurfaceClientMessage,
  SurfaceErrorMessage,
  SurfaceField,
  SurfaceMessage,
  SurfaceOption,
  SurfaceServerMessage,
  SurfaceSpec,
  SurfaceUpdate,
  SurfaceUpdateMessage,
  ToggleField,
  UnsubscribeMessage,
} from "@dispatch/ui-contract";
import { describe, expect, it } from "vitest";
import {
  conversationIdSchema,
  surfaceClientMessageSchema,
  surfaceServerMessageSchema,
  surfaceSpecSchema,
} from "./index.js";

const region: Region = "side";
const action: ActionRef = { actionId: "a/b" };
const option: SurfaceOption = { value: "x", label: "X" };
const fields: readonly SurfaceField[] = [
  { kind: "toggle", label: "On", value: true, action } satisfies ToggleField,
  { kind: "progress", label: "P", value: 0.5 } satisfies ProgressField,
  { kind: "selector", label: "S", value: "x", options: [option], action } satisfies SelectorField,
  { kind: "stat", label: "Last Cache %", value: "87%" } satisfies StatField,
  {
    kind: "number",
    label: "N",
    value: 3,
    min: 1,
    step: 1,
    unit: "s",
    action,
  } satisfies NumberField,
  { kind: "button", label: "B", action } satisfies ButtonField,
  { kind: "custom", rendererId: "r", payload: { any: 1 } } satisfies CustomField,
];
const spec: SurfaceSpec = { id: "cache-warming", region, title: "Cache Warming", fields };
const entry: SurfaceCatalogEntry = {
  id: "cache-warming",
  region,
  title: "T",
  scope: "conversation",
};
const catalog: SurfaceCatalog = [entry, { id: "g", region, title: "G" }];
const update: SurfaceUpdate = { surfaceId: "cache-warming", spec, conversationId: "c" };

/** The frontend's protocol state, reduced to what it types with these names. */
interface ProtocolState {
  readonly catalog: SurfaceCatalog;
  readonly lastError: SurfaceErrorMessage | null;
  readonly specs: ReadonlyMap<string, SurfaceSpec>;
}

function reduce(state: ProtocolState, message: SurfaceServerMessage): ProtocolState {
  switch (message.type) {
    case "catalog":
      return { ...state, catalog: message.catalog };
    case "surface":
      return { ...state, specs: new Map([...state.specs, [message.spec.id, message.spec]]) };
    case "update": {
      const incoming: SurfaceUpdateMessage = message;
      return {
        ...state,
        specs: new Map([...state.specs, [incoming.update.surfaceId, incoming.update.spec]]),
      };
    }
    case "error":
      return { ...state, lastError: message };
  }
}

describe("upstream's ui-contract names", () => {
  it("type the frontend's reducer over every server message, and the schema accepts them all", () => {
    const messages: SurfaceServerMessage[] = [
      { type: "catalog", catalog } satisfies CatalogMessage,
      { type: "surface", spec, conversationId: "c" } satisfies SurfaceMessage,
      { type: "update", update } satisfies SurfaceUpdateMessage,
      { type: "error", surfaceId: "cache-warming", message: "nope" } satisfies SurfaceErrorMessage,
    ];
    let state: ProtocolState = { catalog: [], lastError: null, specs: new Map() };
    for (const message of messages) {
      expect(surfaceServerMessageSchema.parse(message)).toEqual(message);
      state = reduce(state, message);
    }
    expect(state.catalog).toEqual(catalog);
    expect(state.lastError?.message).toBe("nope");
    expect(surfaceSpecSchema.parse(state.specs.get("cache-warming"))).toEqual(spec);
  });

  it("type every client message, and the schema accepts them all", () => {
    const messages: SurfaceClientMessage[] = [
      {
        type: "subscribe",
        surfaceId: "cache-warming",
        conversationId: "c",
      } satisfies SubscribeMessage,
      { type: "unsubscribe", surfaceId: "cache-warming" } satisfies UnsubscribeMessage,
      {
        type: "invoke",
        surfaceId: "cache-warming",
        actionId: "cache-warming/toggle",
        payload: true,
        conversationId: "c",
      } satisfies InvokeMessage,
    ];
    for (const message of messages) {
      expect(surfaceClientMessageSchema.parse(message)).toEqual(message);
    }
  });
});

describe("conversation ids as upstream makes them", () => {
  it.each([
    ["a UUID from the web", "3f6c1f1e-8a2b-4c3d-9e4f-5a6b7c8d9e0f"],
    ["a CLI name with capitals and a dot", "My-Chat.v2"],
    ["a CLI name with a space", "release notes"],
    ["the longest", "x".repeat(256)],
  ])("accepts %s", (_name, id) => {
    expect(conversationIdSchema.parse(id)).toBe(id);
  });

  it.each([
    ["empty", "", /must not be empty/],
    ["too long", "x".repeat(257), /at most 256 characters/],
    ["a newline", "a\nb", /control characters/],
    ["a NUL", "a\u0000b", /control characters/],
    ["a lone surrogate", "a\ud800", /well-formed/],
  ])("refuses %s with a message", (_name, id, message) => {
    const parsed = conversationIdSchema.safeParse(id);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(message);
  });
});
