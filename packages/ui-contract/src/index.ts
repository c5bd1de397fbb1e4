// The surface vocabulary shared by the backend and the web frontend (frontend contract 0.2.0).
// The type names and shapes are upstream's `@dispatch/ui-contract` (readonly interfaces, so
// the frontend compiles against this package unchanged); each wire shape also has a zod schema
// so anything that crosses a boundary is validated by a definition checked against its type.
import { z } from "zod";

export const CONTRACT_VERSION = "0.2.0";

/** `path: message` for every issue, joined with "; "; `root` names an issue at the top. */
export function describeIssues(error: z.ZodError, root: string): string {
  return error.issues
    .map((issue) => `${issue.path.join(".") || root}: ${issue.message}`)
    .join("; ");
}

// ---- surface spec ------------------------------------------------------------------------

/** A coarse placement hint ("side"); clients map unknown regions to their default. */
export type Region = string;

export interface ActionRef {
  readonly actionId: string;
}

export interface SurfaceOption {
  readonly value: string;
  readonly label: string;
}

export interface ToggleField {
  readonly kind: "toggle";
  readonly label: string;
  readonly value: boolean;
  readonly action: ActionRef;
}

/** A ratio in [0, 1], read-only. */
export interface ProgressField {
  readonly kind: "progress";
  readonly label: string;
  readonly value: number;
}

export interface SelectorField {
  readonly kind: "selector";
  readonly label: string;
  readonly value: string;
  readonly options: readonly SurfaceOption[];
  readonly action: ActionRef;
}

export interface StatField {
  readonly kind: "stat";
  readonly label: string;
  readonly value: string;
}

export interface NumberField {
  readonly kind: "number";
  readonly label: string;
  readonly value: number;
  readonly min?: number;
  readonly max?: number;
  readonly step?: number;
  readonly unit?: string;
  readonly action: ActionRef;
}

export interface ButtonField {
  readonly kind: "button";
  readonly label: string;
  readonly action: ActionRef;
}

/** The escape hatch: a client without a renderer for `rendererId` skips the field. */
export interface CustomField {
  readonly kind: "custom";
  readonly rendererId: string;
  readonly payload: unknown;
}

export type SurfaceField =
  | ToggleField
  | ProgressField
  | SelectorField
  | StatField
  | NumberField
  | ButtonField
  | CustomField;

export interface SurfaceSpec {
  readonly id: string;
  readonly region: Region;
  readonly title: string;
  readonly fields: readonly SurfaceField[];
}

export interface SurfaceCatalogEntry {
  readonly id: string;
  readonly region: Region;
  readonly title: string;
  /** Absent means conversation-scoped (the conservative reading). */
  readonly scope?: "global" | "conversation";
}

export type SurfaceCatalog = readonly SurfaceCatalogEntry[];

/** A pushed change: the full new spec; `conversationId` only for conversation-scoped surfaces. */
export interface SurfaceUpdate {
  readonly surfaceId: string;
  readonly spec: SurfaceSpec;
  readonly conversationId?: string;
}

// ---- surface WebSocket messages ------------------------------------------------------------

export interface SubscribeMessage {
  readonly type: "subscribe";
  readonly surfaceId: string;
  readonly conversationId?: string;
}

export interface UnsubscribeMessage {
  readonly type: "unsubscribe";
  readonly surfaceId: string;
  readonly conversationId?: string;
}

export interface InvokeMessage {
  readonly type: "invoke";
  readonly surfaceId: string;
  readonly actionId: string;
  readonly payload?: unknown;
  readonly conversationId?: string;
}

export type SurfaceClientMessage = SubscribeMessage | UnsubscribeMessage | InvokeMessage;

export interface CatalogMessage {
  readonly type: "catalog";
  readonly catalog: SurfaceCatalog;
}

export interface SurfaceMessage {
  readonly type: "surface";
  readonly spec: SurfaceSpec;
  readonly conversationId?: string;
}

export interface SurfaceUpdateMessage {
  readonly type: "update";
  readonly update: SurfaceUpdate;
}

export interface SurfaceErrorMessage {
  readonly type: "error";
  readonly surfaceId?: string;
  readonly message: string;
}

export type SurfaceServerMessage =
  | CatalogMessage
  | SurfaceMessage
  | SurfaceUpdateMessage
  | SurfaceErrorMessage;

// ---- schemas (each checked against its type below) ----------------------------------------

const actionRefSchema = z.object({ actionId: z.string().min(1) });

export const surfaceFieldSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("toggle"),
    label: z.string(),
    value: z.boolean(),
    action: actionRefSchema,
  }),
  z.object({ kind: z.literal("progress"), label: z.string(), value: z.number().min(0).max(1) }),
  z.object({
    kind: z.literal("selector"),
    label: z.string(),
    value: z.string(),
    options: z.array(z.object({ value: z.string(), label: z.string() })),
    action: actionRefSchema,
  }),
  z.object({ kind: z.literal("stat"), label: z.string(), value: z.string() }),
  z.object({
    kind: z.literal("number"),
    label: z.string(),
    value: z.number(),
    min: z.number().exactOptional(),
    max: z.number().exactOptional(),
    step: z.number().exactOptional(),
    unit: z.string().exactOptional(),
    action: actionRefSchema,
  }),
  z.object({ kind: z.literal("button"), label: z.string(), action: actionRefSchema }),
  z.object({ kind: z.literal("custom"), rendererId: z.string().min(1), payload: z.unknown() }),
]);

export const surfaceSpecSchema = z.object({
  id: z.string(),
  region: z.string(),
  title: z.string(),
  fields: z.array(surfaceFieldSchema),
});

export const surfaceCatalogEntrySchema = z.object({
  id: z.string(),
  region: z.string(),
  title: z.string(),
  scope: z.enum(["global", "conversation"]).exactOptional(),
});

// Client → server. Ids are bounded so a hostile client cannot make the server hold
// megabyte-long map keys.
const idSchema = z.string().min(1).max(256);

/**
 * Conversation ids as the Dispatch backend and frontend make them (lowercase UUIDs from
 * `crypto.randomUUID()`) and as people type them (`demo`, `conv-1`): 1–64 lowercase letters,
 * digits, `-` or `_`, starting with a letter or digit. One conversation has one spelling, so
 * case, spaces or look-alike characters cannot multiply one conversation's limits.
 */
export const CONVERSATION_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const conversationIdSchema = z
  .string()
  .min(1, "must not be empty")
  .max(64, "must be at most 64 characters")
  .regex(
    CONVERSATION_ID_PATTERN,
    "must be lowercase letters, digits, '-' or '_', starting with a letter or digit",
  );

export const surfaceClientMessageSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("subscribe"),
    surfaceId: idSchema,
    conversationId: conversationIdSchema.exactOptional(),
  }),
  z.object({
    type: z.literal("unsubscribe"),
    surfaceId: idSchema,
    conversationId: conversationIdSchema.exactOptional(),
  }),
  z.object({
    type: z.literal("invoke"),
    surfaceId: idSchema,
    actionId: idSchema,
    payload: z.unknown().exactOptional(),
    conversationId: conversationIdSchema.exactOptional(),
  }),
]);

export const surfaceServerMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("catalog"), catalog: z.array(surfaceCatalogEntrySchema) }),
  z.object({
    type: z.literal("surface"),
    spec: surfaceSpecSchema,
    conversationId: z.string().exactOptional(),
  }),
  z.object({
    type: z.literal("update"),
    update: z.object({
      surfaceId: z.string(),
      spec: surfaceSpecSchema,
      conversationId: z.string().exactOptional(),
    }),
  }),
  z.object({
    type: z.literal("error"),
    surfaceId: z.string().exactOptional(),
    message: z.string(),
  }),
]);

// What a schema accepts must be a value of the type it guards (checked at compile time).
type Guards<Schema extends z.ZodType, T> = z.output<Schema> extends T ? true : never;
export const schemasMatchTypes: [
  Guards<typeof surfaceFieldSchema, SurfaceField>,
  Guards<typeof surfaceSpecSchema, SurfaceSpec>,
  Guards<typeof surfaceCatalogEntrySchema, SurfaceCatalogEntry>,
  Guards<typeof surfaceClientMessageSchema, SurfaceClientMessage>,
  Guards<typeof surfaceServerMessageSchema, SurfaceServerMessage>,
] = [true, true, true, true, true];
