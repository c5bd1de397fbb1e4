/** Token usage of one warm request, as the provider reports it. */
export interface WarmUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** A refusal (generating, no history, unknown model) comes back as `{ error }`, not a throw. */
export type WarmResult = WarmUsage | { error: string };

export interface WarmOptions {
  cwd?: string;
  modelName?: string;
}

/** Sends one cheap request that reads (and so refreshes) the conversation's cached prefix. */
export type WarmService = (conversationId: string, opts?: WarmOptions) => Promise<WarmResult>;

export function isWarmFailure(result: WarmResult): result is { error: string } {
  return "error" in result;
}
