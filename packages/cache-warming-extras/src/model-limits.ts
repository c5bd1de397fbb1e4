// Extra: the limits a conversation's model sets. A warm must reach its cache alive, so the
// schedule never waits longer than the model's cache lives (less a margin), and the interval
// field says so (`max`); a model whose provider caches by itself is never warmed (it would only
// cost). The model is the last settled turn's.
import { type Extra, type ExtraDeps, type Pause, seam, withTimerKeys } from "./extra.js";
import { MAX_CWD, MAX_MODEL_NAME } from "./records.js";

export function createModelLimits(deps: Pick<ExtraDeps, "warmer" | "economicsOf">) {
  const { warmer, economicsOf } = deps;
  const economics = (id: string) => economicsOf(warmer.getContext(id).modelName);

  const extra = {
    pause(id): Pause | null {
      if (economics(id).pricing?.selfCaching !== true) return null;
      return {
        reason: "self-caching",
        rule: "the model",
        why: "this model's provider caches prompts by itself, so warming would only cost",
        resumes: "a turn on a model whose cache needs warming",
      };
    },
    hooks: seam({
      schedule(id, state) {
        const model = economics(id);
        if (model.pricing?.selfCaching === true) return null;
        // Shorter than the interval only when the cache would die first.
        return model.maxIntervalMs !== null && model.maxIntervalMs < state.intervalMs
          ? model.maxIntervalMs
          : undefined;
      },
      beforeWarm(_id, _trigger, context) {
        // A name no record can hold would be warmed now and forgotten at the next restart.
        if ((context.modelName?.length ?? 0) > MAX_MODEL_NAME) {
          return {
            reason: "invalid",
            error: `model names are at most ${MAX_MODEL_NAME} characters; no warm was sent`,
          };
        }
        if ((context.cwd?.length ?? 0) > MAX_CWD) {
          return {
            reason: "invalid",
            error: `working directories are at most ${MAX_CWD} characters; no warm was sent`,
          };
        }
        const model = economicsOf(context.modelName);
        if (model.pricing?.selfCaching !== true) return undefined;
        return {
          reason: "self-caching",
          error: `${model.model}'s provider caches prompts by itself; warming would only cost`,
        };
      },
      spec(id, spec, state) {
        const model = economics(id);
        const max = model.maxIntervalMs;
        const capped = {
          ...spec,
          fields: spec.fields.map((field) =>
            field.kind === "number" && max !== null ? { ...field, max: max / 1000 } : field,
          ),
        };
        return withTimerKeys(capped, {
          intervalMs: max === null ? state.intervalMs : Math.min(state.intervalMs, max),
          model: warmer.getContext(id).modelName ?? null,
          maxIntervalMs: max,
          cacheTtlMs: model.ttlKnown ? model.cacheTtlMs : null,
          pricesKnown: model.pricing !== null,
        });
      },
    }),
  } satisfies Extra & Record<string, unknown>;
  return extra;
}
