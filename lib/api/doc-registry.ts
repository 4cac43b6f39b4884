/**
 * What the OpenAPI document must say about a schema that its JSON Schema alone does not: a query
 * parameter whose blank value (`?from=`, as an HTML form sends an empty field) counts as absent is
 * documented as "blank, or the inner schema" (lib/api/openapi.ts reads this registry). No
 * "server-only": request schemas import it, and they load in unit tests and pages alike.
 */
import { z } from "zod";

export const blankIsAbsent = z.registry<Record<string, never>>();

/** `s`, optional, where a blank string is the same as leaving the parameter out. */
export function blankAsAbsent<T extends z.ZodType>(s: T) {
  const schema = z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), s.optional());
  blankIsAbsent.add(schema, {});
  return schema;
}
