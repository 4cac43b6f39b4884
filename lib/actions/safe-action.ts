import "server-only";
import diagnostics_channel from "node:diagnostics_channel";
import type { z } from "zod";
import { accessRefusal, type Access } from "../access/access.ts";
import { AppError, toAppError, zodFieldErrors, type ErrorCode, type Problem } from "../errors.ts";
import { unsafeText } from "../platform/safe-text.ts";
import type { Viewer } from "../types.ts";

export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; error: string; code: ErrorCode; fieldErrors?: Record<string, string>; problems?: Problem[] };

/**
 * A refused action as a form keeps it: the code with the message (never flattened into a string
 * and parsed back), and the field errors when the input was at fault.
 */
export interface ActionProblem {
  code: ErrorCode;
  message: string;
  fieldErrors?: Record<string, string>;
}

/** The state of a form whose action either works or is refused (a revoke button, cancel): null until refused. */
export type ProblemState = { problem: ActionProblem | null };

/** What a refused result tells the form. */
export function problemOf(res: Extract<ActionResult<unknown>, { ok: false }>): ActionProblem {
  return { code: res.code, message: res.error, ...(res.fieldErrors ? { fieldErrors: res.fieldErrors } : {}) };
}

function failure(err: unknown): ActionResult<never> {
  const e = toAppError(err);
  return {
    ok: false,
    error: e.message,
    code: e.code,
    ...(e.fieldErrors ? { fieldErrors: e.fieldErrors } : {}),
    ...(e.problems ? { problems: e.problems } : {}),
  };
}

/** How an action call ended: "ok" or the error code it was refused with. */
export type ActionOutcome = "ok" | ErrorCode;

/** What a wrapped action declares: read by the authorization matrix test and the wrappers alike. */
export interface ActionSpec {
  access: Access;
  input: z.ZodType;
}

/** Published on `actionChannel` after every call of a wrapped action, for tracing and the authorization tests. */
export interface ActionSettled {
  spec: ActionSpec;
  outcome: ActionOutcome;
}

/**
 * Every wrapped action reports how it ended on this diagnostics channel (a no-op without
 * subscribers). The exported server actions adapt a wrapped action to a form's state; the
 * authorization test subscribes here to learn what the wrapped action decided underneath.
 */
export const actionChannel = diagnostics_channel.channel("levhub.action");

const specs = new WeakMap<object, ActionSpec>();

/** The declaration of a function made by safeAction/adminAction/publicAction, or undefined. */
export function actionSpec(fn: unknown): ActionSpec | undefined {
  return typeof fn === "function" ? specs.get(fn) : undefined;
}

/**
 * Who calls. `duringEnrolment`: the caller may be signed in but still owe the two-factor set-up an
 * admin requires (lib/auth/session.ts); only the set-up's own actions accept such a caller.
 */
export type ViewerSource = (opts: { duringEnrolment: boolean }) => Promise<Viewer | null>;
// imported when first needed: next-auth loads only inside Next.js, and scripts and integration
// tests import the action modules without it
let viewerSource: ViewerSource = async ({ duringEnrolment }) => {
  const session = await import("../auth/session.ts");
  if (!duringEnrolment) return session.getViewer();
  const state = await session.getSessionState();
  return state.kind === "none" ? null : state.viewer;
};

/**
 * Where actions learn who calls them: the session (lib/auth/session.ts) unless replaced. Integration
 * tests call every action as each role by setting a source; returns the previous one.
 */
export function setActionViewerSource(source: ViewerSource): ViewerSource {
  const previous = viewerSource;
  viewerSource = source;
  return previous;
}

const digestOf = (err: unknown): unknown => (typeof err === "object" && err !== null && "digest" in err ? (err as { digest: unknown }).digest : undefined);

function isRedirect(err: unknown): boolean {
  const digest = digestOf(err);
  return typeof digest === "string" && digest.startsWith("NEXT_REDIRECT");
}

function isNextControlFlow(err: unknown): boolean {
  const digest = digestOf(err);
  return typeof digest === "string" && (digest.startsWith("NEXT_REDIRECT") || digest.startsWith("NEXT_HTTP_ERROR_FALLBACK") || digest === "NEXT_NOT_FOUND");
}

/**
 * The one path of every action: who calls, refused by access level before the input is even
 * parsed, then the input checked by `schema`, then the handler; every error becomes
 * `{ ok: false, error, code, fieldErrors }` (internals hidden).
 */
function wrap<S extends z.ZodType, T>(
  access: Access,
  schema: S,
  handler: (input: z.infer<S>, viewer: Viewer | null) => Promise<T>,
  duringEnrolment = false,
): (input: unknown) => Promise<ActionResult<T>> {
  const spec: ActionSpec = Object.freeze({ access, input: schema });
  const report = (outcome: ActionOutcome) => actionChannel.publish({ spec, outcome } satisfies ActionSettled);
  const action = async (input: unknown): Promise<ActionResult<T>> => {
    try {
      const result = await settle(input);
      report(result.ok ? "ok" : result.code);
      return result;
    } catch (err) {
      // only next's control flow gets here: a redirect ends a call that did its work
      report(isRedirect(err) ? "ok" : "not_found");
      throw err;
    }
  };
  async function settle(input: unknown): Promise<ActionResult<T>> {
    let viewer: Viewer | null;
    try {
      viewer = access === "public" ? null : await viewerSource({ duringEnrolment });
    } catch (err) {
      return failure(err);
    }
    const refusal = accessRefusal(access, viewer);
    if (refusal === "unauthorized") return failure(new AppError("unauthorized", "sign in first"));
    if (refusal === "forbidden") return failure(new AppError("forbidden", "only an admin may do this"));
    // text the hub cannot store is a field error, as on the API (lib/api/http.ts)
    const bad = unsafeText(input);
    if (bad) return { ok: false, error: "check the highlighted fields", code: "validation", fieldErrors: { [bad.path]: bad.problem } };
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      return { ok: false, error: "check the highlighted fields", code: "validation", fieldErrors: zodFieldErrors(parsed.error) };
    }
    try {
      return { ok: true, data: await handler(parsed.data, viewer) };
    } catch (err) {
      // next's redirect()/notFound() signal by throwing; they must pass through
      if (isNextControlFlow(err)) throw err;
      return failure(err);
    }
  }
  specs.set(action, spec);
  return action;
}

/** An action for signed-in users: anonymous callers get `unauthorized` and nothing runs. */
export function safeAction<S extends z.ZodType, T>(
  schema: S,
  handler: (input: z.infer<S>, viewer: Viewer) => Promise<T>,
): (input: unknown) => Promise<ActionResult<T>> {
  return wrap("user", schema, (input, viewer) => handler(input, viewer!));
}

/**
 * An action of the two-factor set-up: like `safeAction`, and it also serves a signed-in user who
 * must still enrol (everything else treats them as signed out until they have).
 */
export function enrolmentAction<S extends z.ZodType, T>(
  schema: S,
  handler: (input: z.infer<S>, viewer: Viewer) => Promise<T>,
): (input: unknown) => Promise<ActionResult<T>> {
  return wrap("user", schema, (input, viewer) => handler(input, viewer!), true);
}

/** An action only admins may call: anyone else gets `forbidden` (anonymous `unauthorized`) before the input is parsed, and nothing runs. */
export function adminAction<S extends z.ZodType, T>(
  schema: S,
  handler: (input: z.infer<S>, viewer: Viewer) => Promise<T>,
): (input: unknown) => Promise<ActionResult<T>> {
  return wrap("admin", schema, (input, viewer) => handler(input, viewer!));
}

/** An action that needs no session (sign-up). */
export function publicAction<S extends z.ZodType, T>(
  schema: S,
  handler: (input: z.infer<S>) => Promise<T>,
): (input: unknown) => Promise<ActionResult<T>> {
  return wrap("public", schema, (input) => handler(input));
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
