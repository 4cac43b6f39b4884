import "server-only";
import type { z } from "zod";
import { zodFieldErrors, invalidFields } from "../errors.ts";

/** The value parsed by `schema`, or a validation error (422) with a message per field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw invalidFields(zodFieldErrors(r.error));
  return r.data;
}

/** The query string as an object; of a repeated key, the last value. */
export function searchParamsObject(req: Request): Record<string, string> {
  return Object.fromEntries(new URL(req.url).searchParams.entries());
}
