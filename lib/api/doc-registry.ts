/**
 * What the OpenAPI document must say about a schema that its JSON Schema alone does not: a query
 * parameter whose blank value (`?from=`, as an HTML form sends an empty field) counts as absent is
 * documented as "blank, or the inner schema" (lib/api/openapi.ts reads this registry). No
 * "server-only": request schemas import it, and they load in unit tests and pages alike.
 */
import { z } from "zod";

export const blankIsAbsent = z.registry<Record<string, never>>();

/**
 * `s`, optional, where a blank string is the same as leaving the parameter out. Its description is
 * given here: `.describe()` on the result would make a copy the registry does not know, documented
 * without its blank form (a blank value the hub accepts would then contradict the document).
 */
export function blankAsAbsent<T extends z.ZodType>(s: T, description?: string) {
  const base = z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), s.optional());
  const schema = description === undefined ? base : base.describe(description);
  blankIsAbsent.add(schema, {});
  return schema;
}
