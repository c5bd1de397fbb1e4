// Surface spec and surface WebSocket shapes shared by the backend and the web frontend
// (frontend contract version 0.2.0). Every shape is a zod schema so anything that crosses
// a boundary can be validated with the same definition the types come from.
import { z } from "zod";

export const CONTRACT_VERSION = "0.2.0";

/** `path: message` for every issue, joined with "; "; `root` names an issue at the top. */
export function describeIssues(error: z.ZodError, root: string): string {
  return error.issues
    .map((issue) => `${issue.path.join(".") || root}: ${issue.message}`)
    .join("; ");
}

export const actionSchema = z.object({ actionId: z.string().min(1) });
export type SurfaceAction = z.infer<typeof actionSchema>;

export const toggleFieldSchema = z.object({
  kind: z.literal("toggle"),
  label: z.string(),
  value: z.boolean(),
  action: actionSchema,
});

export const progressFieldSchema = z.object({
  kind: z.literal("progress"),
  label: z.string(),
  value: z.number().min(0).max(1),
});

export const selectorFieldSchema = z.object({
  kind: z.literal("selector"),
  label: z.string(),
  value: z.string(),
  options: z.array(z.object({ value: z.string(), label: z.string() })),
  action: actionSchema,
});

export const statFieldSchema = z.object({
  kind: z.literal("stat"),
  label: z.string(),
  value: z.string(),
});

export const numberFieldSchema = z.object({
  kind: z.literal("number"),
  label: z.string(),
  value: z.number(),
  min: z.number().optional(),
  max: z.number().optional(),
  step: z.number().optional(),
  unit: z.string().optional(),
  action: actionSchema,
});

export const buttonFieldSchema = z.object({
  kind: z.literal("button"),
  label: z.string(),
  action: actionSchema,
});

/** The escape hatch: a client without a renderer for `rendererId` skips the field. */
export const customFieldSchema = z.object({
  kind: z.literal("custom"),
  rendererId: z.string().min(1),
  payload: z.unknown(),
});

export const surfaceFieldSchema = z.discriminatedUnion("kind", [
  toggleFieldSchema,
  progressFieldSchema,
  selectorFieldSchema,
  statFieldSchema,
  numberFieldSchema,
  buttonFieldSchema,
  customFieldSchema,
]);
export type SurfaceField = z.infer<typeof surfaceFieldSchema>;
export type ToggleField = z.infer<typeof toggleFieldSchema>;
export type NumberField = z.infer<typeof numberFieldSchema>;
export type StatField = z.infer<typeof statFieldSchema>;
export type ButtonField = z.infer<typeof buttonFieldSchema>;
export type CustomField = z.infer<typeof customFieldSchema>;

export const surfaceSpecSchema = z.object({
  id: z.string(),
  region: z.string(),
  title: z.string(),
  fields: z.array(surfaceFieldSchema),
});
export type SurfaceSpec = z.infer<typeof surfaceSpecSchema>;

export const catalogEntrySchema = z.object({
  id: z.string(),
  region: z.string(),
  title: z.string(),
  scope: z.enum(["global", "conversation"]).optional(),
});
export type CatalogEntry = z.infer<typeof catalogEntrySchema>;

// Client → server. Ids are bounded so a hostile client cannot make the server hold
// megabyte-long map keys.
const idSchema = z.string().min(1).max(256);

export const subscribeMessageSchema = z.object({
  type: z.literal("subscribe"),
  surfaceId: idSchema,
  conversationId: idSchema.optional(),
});
export const unsubscribeMessageSchema = z.object({
  type: z.literal("unsubscribe"),
  surfaceId: idSchema,
  conversationId: idSchema.optional(),
});
export const invokeMessageSchema = z.object({
  type: z.literal("invoke"),
  surfaceId: idSchema,
  actionId: idSchema,
  payload: z.unknown().optional(),
  conversationId: idSchema.optional(),
});
export const surfaceClientMessageSchema = z.discriminatedUnion("type", [
  subscribeMessageSchema,
  unsubscribeMessageSchema,
  invokeMessageSchema,
]);
export type SubscribeMessage = z.infer<typeof subscribeMessageSchema>;
export type UnsubscribeMessage = z.infer<typeof unsubscribeMessageSchema>;
export type InvokeMessage = z.infer<typeof invokeMessageSchema>;
export type SurfaceClientMessage = z.infer<typeof surfaceClientMessageSchema>;

// Server → client.
export const catalogMessageSchema = z.object({
  type: z.literal("catalog"),
  catalog: z.array(catalogEntrySchema),
});
export const surfaceMessageSchema = z.object({
  type: z.literal("surface"),
  spec: surfaceSpecSchema,
  conversationId: z.string().optional(),
});
export const updateMessageSchema = z.object({
  type: z.literal("update"),
  update: z.object({
    surfaceId: z.string(),
    spec: surfaceSpecSchema,
    conversationId: z.string().optional(),
  }),
});
export const errorMessageSchema = z.object({
  type: z.literal("error"),
  surfaceId: z.string().optional(),
  message: z.string(),
});
export const surfaceServerMessageSchema = z.discriminatedUnion("type", [
  catalogMessageSchema,
  surfaceMessageSchema,
  updateMessageSchema,
  errorMessageSchema,
]);
export type CatalogMessage = z.infer<typeof catalogMessageSchema>;
export type SurfaceMessage = z.infer<typeof surfaceMessageSchema>;
export type UpdateMessage = z.infer<typeof updateMessageSchema>;
export type ErrorMessage = z.infer<typeof errorMessageSchema>;
export type SurfaceServerMessage = z.infer<typeof surfaceServerMessageSchema>;

/** What a surface is asked for: conversation-scoped surfaces get the focused conversation. */
export interface SurfaceContext {
  conversationId?: string;
}

/** A surface as the registry sees it; implemented by feature packages such as cache warming. */
export interface SurfaceProvider {
  readonly entry: CatalogEntry;
  /** Loads whatever `getSpec` needs for this context (e.g. persisted settings). */
  prepare?(context: SurfaceContext): Promise<void>;
  getSpec(context: SurfaceContext): SurfaceSpec;
  /** Rejects with an Error whose message is safe to show the client. */
  invoke(context: SurfaceContext, actionId: string, payload: unknown): Promise<void>;
}
