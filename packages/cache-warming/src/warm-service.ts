// The warm service's shapes, as upstream's session-orchestrator declares them (structurally:
// this package names no package of upstream's, so it merges without new dependencies).

/** Token usage of one successful warm, as the provider reports it. */
export interface WarmResult {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
}

/** A refusal (generating, no history, unknown model) comes back as `{ error }`, not a throw. */
export type WarmOutcome = WarmResult | { readonly error: string };

export interface WarmOptions {
  readonly cwd?: string;
  readonly modelName?: string;
}

/** Sends one cheap request that reads (and so refreshes) the conversation's cached prefix. */
export interface WarmService {
  readonly warm: (conversationId: string, opts?: WarmOptions) => Promise<WarmOutcome>;
}

export function isWarmFailure(outcome: WarmOutcome): outcome is { readonly error: string } {
  return "error" in outcome;
}
