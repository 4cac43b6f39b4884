import type { z } from "zod";
import type { ManifestProblem } from "../runner/src/manifest/introspect.ts";

/** The hub's one error type: a closed set of codes, mapped to HTTP in `httpStatus` only. */
export type ErrorCode =
  | "validation"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "too_large"
  | "rate_limited"
  | "gone"
  | "replayed"
  | "unavailable"
  | "internal";

const STATUS: Record<ErrorCode, number> = {
  validation: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  /** a method the route does not declare (answered with `Allow` before the route runs: lib/api/route-table.ts) */
  method_not_allowed: 405,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  /** a worker instance the hub declared lost: it must register again */
  gone: 410,
  /** a worker request whose sequence number its instance already admitted, or one too old to tell: it did nothing */
  replayed: 409,
  /** a service the hub needs (PostgreSQL, the results store) does not answer; nothing was changed */
  unavailable: 503,
  internal: 500,
};

/** Every error code (the OpenAPI document's error shape lists them). */
export const ERROR_CODES = Object.keys(STATUS) as ErrorCode[];

/**
 * One of several problems found at once (every problem of an upload: introspection's, the layout's,
 * pyproject.toml's, the dependencies', the Dockerfile's): the same shape as introspection's own
 * problems (`ManifestProblem`), from where it is found to the form, the API and the CLI.
 * `where` names a place in the package (`hello.greet`, `Dockerfile`, `pyproject.toml`), or is empty.
 */
export type Problem = ManifestProblem;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fieldErrors?: Record<string, string>;
  /** several problems at once (e.g. every problem an upload has) */
  readonly problems?: Problem[];

  constructor(code: ErrorCode, message: string, opts: { fieldErrors?: Record<string, string>; problems?: Problem[]; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = "AppError";
    this.code = code;
    if (opts.fieldErrors) this.fieldErrors = opts.fieldErrors;
    if (opts.problems?.length) this.problems = opts.problems;
  }

  toJSON() {
    return {
      code: this.code,
      message: this.message,
      ...(this.fieldErrors ? { fieldErrors: this.fieldErrors } : {}),
      ...(this.problems ? { problems: this.problems } : {}),
    };
  }
}

/** An error problem (what refuses an upload), found by the hub rather than by introspection. */
export const problem = (code: string, where: string, message: string): Problem => ({ severity: "error", where, code, message });

export const validation = (message: string, fieldErrors?: Record<string, string>, problems?: Problem[]) =>
  new AppError("validation", message, { fieldErrors, problems });
/**
 * A validation error about fields: the message names them ("invalid args.port, cron"; `_`, the input
 * as a whole, reads "request"), each keeps its own message in `fieldErrors`. A form highlights the
 * fields; an API client or the CLI reads which ones from the message and why from the fields.
 */
export const invalidFields = (fieldErrors: Record<string, string>, problems?: Problem[]) =>
  validation(`invalid ${Object.keys(fieldErrors).map((k) => (k === "_" ? "request" : k)).join(", ") || "request"}`, fieldErrors, problems);
export const notFound = (what: string) => new AppError("not_found", `${what} not found`);
export const forbidden = (message: string) => new AppError("forbidden", message);
export const unauthorized = (message = "sign in first") => new AppError("unauthorized", message);
export const conflict = (message: string) => new AppError("conflict", message);

export function httpStatus(code: ErrorCode): number {
  return STATUS[code];
}

export function zodFieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    // a strict object's extra keys: each named as its own field, so a form or client can point at it
    if (issue.code === "unrecognized_keys") {
      for (const k of issue.keys) out[[...issue.path.map(String), k].join(".")] ??= "is not a field of this request";
      continue;
    }
    const key = issue.path.map(String).join(".") || "_";
    out[key] ??= issue.message;
  }
  return out;
}

/** Known errors pass through; anything else is logged and becomes a generic internal error. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  console.error("[levhub] unexpected error:", err);
  return new AppError("internal", "something went wrong on the server; the error was logged");
}

export function errorResponse(err: unknown): Response {
  const e = toAppError(err);
  return Response.json({ error: e.toJSON() }, { status: httpStatus(e.code) });
}
