// The surface vocabulary shared by the backend and the web frontend (frontend contract 0.2.0).
// Types only, as upstream's `@dispatch/ui-contract` is: the same names and readonly shapes, no
// runtime and no dependency, so the frontend and upstream's packages compile against it
// unchanged. The zod schemas that check these shapes at a boundary are in
// `@dispatch/ui-contract-schemas`, which a merge can take or leave.

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
