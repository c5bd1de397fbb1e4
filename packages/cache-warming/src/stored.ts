// Reading stored JSON: a value that does not match its schema is treated as absent.
import * as z from "zod";

export const countSchema = z.number().int().min(0).max(1_000_000);

/** A stored JSON value read with its schema; `fallback` for anything missing or unreadable. */
export function parseStored<T, F>(raw: string | null, schema: z.ZodType<T>, fallback: F): T | F {
  if (raw === null) return fallback;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}
