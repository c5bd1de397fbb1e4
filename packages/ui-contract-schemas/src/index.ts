// zod schemas for the wire shapes of `@dispatch/ui-contract`, each checked at compile time
// against the type it guards, so anything that crosses a boundary (a socket message, a spec a
// test builds) is validated by a definition that cannot drift from the contract. Kept apart
// from the contract so that package stays types only, as upstream's is.
import type {
  SurfaceCatalogEntry,
  SurfaceClientMessage,
  SurfaceField,
  SurfaceServerMessage,
  SurfaceSpec,
} from "@dispatch/ui-contract";
import * as z from "zod";

export const CONTRACT_VERSION = "0.2.0";

/** `path: message` for every issue, joined with "; "; `root` names an issue at the top. */
export function describeIssues(error: z.ZodError, root: string): string {
  return error.issues
    .map((issue) => `${issue.path.join(".") || root}: ${issue.message}`)
    .join("; ");
}

const actionRefSchema = z.object({ actionId: z.string().min(1) });

// Stryker disable next-line StringLiteral: zod refuses a discriminator no option has, at import (checked by hand); Stryker's static-mutant run does not see it
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
 * Conversation ids as upstream's code makes them: `crypto.randomUUID()` (the web, `/chat`, the
 * heartbeat), and whatever a person passes to the CLI's `--conversation` (any case, dots,
 * spaces). Upstream accepts any non-empty string; this bounds the length, so a hostile client
 * cannot make the server hold megabyte-long keys, and refuses control characters, which no
 * writer makes and which would forge log lines, and lone surrogates, which no UTF-8 store keeps.
 */
export const MAX_CONVERSATION_ID_LENGTH = 256;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
export const CONVERSATION_ID_PATTERN = /^[^\u0000-\u001f\u007f]+$/;
const WELL_FORMED = /^(?:[^\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;
export const conversationIdSchema = z
  .string()
  .min(1, "must not be empty")
  .max(MAX_CONVERSATION_ID_LENGTH, `must be at most ${MAX_CONVERSATION_ID_LENGTH} characters`)
  .regex(CONVERSATION_ID_PATTERN, "must not contain control characters")
  .regex(WELL_FORMED, "must be well-formed Unicode (no lone surrogates)");

// Stryker disable next-line StringLiteral: zod refuses a discriminator no option has, at import (checked by hand); Stryker's static-mutant run does not see it
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

// Stryker disable next-line StringLiteral: zod refuses a discriminator no option has, at import (checked by hand); Stryker's static-mutant run does not see it
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
