import "server-only";
import type { z } from "zod";
import { AppError, toAppError, type ErrorCode } from "../errors.ts";
import { getViewer } from "../session.ts";
import type { Viewer } from "../types.ts";

export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; error: string; code: ErrorCode; fieldErrors?: Record<string, string>; details?: string[] };

export function zodFieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".") || "_";
    out[key] ??= issue.message;
  }
  return out;
}

function failure(err: unknown): ActionResult<never> {
  const e = toAppError(err);
  return {
    ok: false,
    error: e.message,
    code: e.code,
    ...(e.fieldErrors ? { fieldErrors: e.fieldErrors } : {}),
    ...(e.details ? { details: e.details } : {}),
  };
}

async function run<S extends z.ZodType, T>(schema: S, input: unknown, fn: (data: z.infer<S>) => Promise<T>): Promise<ActionResult<T>> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, error: "check the highlighted fields", code: "validation", fieldErrors: zodFieldErrors(parsed.error) };
  }
  try {
    return { ok: true, data: await fn(parsed.data) };
  } catch (err) {
    // next's redirect()/notFound() signal by throwing; they must pass through
    if (isNextControlFlow(err)) throw err;
    return failure(err);
  }
}

function isNextControlFlow(err: unknown): boolean {
  const digest = typeof err === "object" && err !== null && "digest" in err ? (err as { digest: unknown }).digest : undefined;
  return typeof digest === "string" && (digest.startsWith("NEXT_REDIRECT") || digest.startsWith("NEXT_HTTP_ERROR_FALLBACK") || digest === "NEXT_NOT_FOUND");
}

/**
 * The one wrapper for server actions: checks the session, validates the input with `schema`,
 * and turns every error into `{ ok: false, error, code, fieldErrors }` (internals hidden).
 */
export function safeAction<S extends z.ZodType, T>(
  schema: S,
  handler: (input: z.infer<S>, viewer: Viewer) => Promise<T>,
): (input: unknown) => Promise<ActionResult<T>> {
  return async (input) => {
    let viewer: Viewer | null;
    try {
      viewer = await getViewer();
    } catch (err) {
      return failure(err);
    }
    if (!viewer) return failure(new AppError("unauthorized", "sign in first"));
    const v = viewer;
    return run(schema, input, (data) => handler(data, v));
  };
}

/** The same for actions only admins may call; anyone else gets `forbidden` and nothing runs. */
export function adminAction<S extends z.ZodType, T>(
  schema: S,
  handler: (input: z.infer<S>, viewer: Viewer) => Promise<T>,
): (input: unknown) => Promise<ActionResult<T>> {
  return safeAction(schema, async (input, viewer) => {
    if (viewer.role !== "admin") throw new AppError("forbidden", "only an admin may do this");
    return handler(input, viewer);
  });
}

/** The same for actions that need no session (sign-up). */
export function publicAction<S extends z.ZodType, T>(
  schema: S,
  handler: (input: z.infer<S>) => Promise<T>,
): (input: unknown) => Promise<ActionResult<T>> {
  return (input) => run(schema, input, handler);
}

/** FormData → plain object; repeated keys become arrays; empty file inputs are dropped. */
export function formDataToObject(fd: FormData): Record<string, string | string[] | File> {
  const out: Record<string, string | string[] | File> = {};
  for (const [k, v] of fd.entries()) {
    if (k.startsWith("$ACTION")) continue;
    if (typeof v !== "string" && v.size === 0 && !v.name) continue;
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else if (Array.isArray(prev)) prev.push(typeof v === "string" ? v : v.name);
    else out[k] = [typeof prev === "string" ? prev : prev.name, typeof v === "string" ? v : v.name];
  }
  return out;
}
