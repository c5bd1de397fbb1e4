// After a restart: every enabled schedule whose cache can still be alive resumes at its old
// time (at once if that passed); the others say why not.
import type { Conversation, Conversations } from "./conversations.js";
import { decideResume, scheduleKey } from "./restart.js";
import type { NotResumedReason } from "./state.js";
import type { CacheWarmerDeps, ResumeOptions, ResumeReport, WarmGate } from "./warmer.js";

export interface ResumeHost {
  readonly deps: CacheWarmerDeps;
  readonly conversations: Conversations;
  readonly gate: WarmGate | undefined;
  loadSettings(c: Conversation): Promise<void>;
  armTimer(c: Conversation, delayMs: number): void;
  notify(id: string): void;
}

export async function resumeSchedules(
  host: ResumeHost,
  options: ResumeOptions = {},
): Promise<ResumeReport> {
  const { deps, conversations } = host;
  const resumed: Array<{ conversationId: string; at: number }> = [];
  const notResumed: Array<{ conversationId: string; reason: NotResumedReason }> = [];
  await host.gate?.restore?.();
  const prefix = scheduleKey("");
  const keys = (await deps.storage.keys?.(prefix)) ?? [];
  for (const key of keys) {
    const id = key.slice(prefix.length);
    if (options.accepts && !options.accepts(id)) {
      deps.logger.warn("cache-warming: stored schedule of an invalid id left alone", {
        conversationId: JSON.stringify(id).slice(0, 80),
      });
      continue;
    }
    const c = conversations.open(id);
    await host.loadSettings(c);
    if (!conversations.isCurrent(c) || !c.state.enabled || c.timerId !== null || c.state.active) {
      conversations.releaseIfIdle(c);
      continue;
    }
    const now = deps.now();
    const decision = decideResume(c.state, c.storedNextWarmAt, now);
    if (decision.kind === "paused") {
      deps.logger.info("cache-warming: schedule stays paused", {
        conversationId: id,
        reason: c.state.pausedBy,
      });
    } else if (decision.kind === "resume") {
      host.armTimer(c, decision.at - now);
      resumed.push({ conversationId: id, at: decision.at });
      deps.logger.info("cache-warming: schedule resumed", { conversationId: id, at: decision.at });
    } else {
      c.state = { ...c.state, notResumedBecause: decision.reason };
      notResumed.push({ conversationId: id, reason: decision.reason });
      deps.logger.info("cache-warming: schedule not resumed", {
        conversationId: id,
        reason: decision.reason,
      });
    }
    host.notify(id);
  }
  return { resumed, notResumed };
}
