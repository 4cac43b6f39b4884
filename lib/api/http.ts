import "server-only";
import type { z } from "zod";
import { invalidFields, validation, zodFieldErrors } from "../errors.ts";
import { unsafeText } from "../platform/safe-text.ts";

/**
 * The value parsed by `schema`, or a validation error (422) with a message per field. Text the hub
 * cannot store (NUL, an unpaired surrogate) is refused first, in any field, whatever the schema.
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const bad = unsafeText(value);
  if (bad) throw validation(`${bad.path === "_" ? "the input" : `'${bad.path}'`} ${bad.problem}`, { [bad.path]: bad.problem });
  const r = schema.safeParse(value);
  if (!r.success) throw invalidFields(zodFieldErrors(r.error));
  return r.data;
}

/** The query string as an object; of a repeated key, the last value. */
export function searchParamsObject(req: Request): Record<string, string> {
  return Object.fromEntries(new URL(req.url).searchParams.entries());
}
