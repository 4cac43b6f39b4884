/**
 * A run's arguments checked the one way runs, re-runs and saved scans check them (pure): first
 * their shape and size (before anything is looked up), then against the function's parameters with
 * the runner's `validateArgs`. Field errors are keyed `args.<parameter>` (`args` for all of them at
 * once) in the API and the actions alike; the run form's actions strip `args.` for its fields.
 */
import { ParamValidationError, validateArgs, type ManifestFunction } from "../../runner/src/index.ts";
import { AppError, validation, invalidFields } from "../errors.ts";
import { oversizedArgs } from "../policy/run-policy.ts";
import { argsOutOfScope, type Scope } from "../../runner/src/scope/rules.ts";

/** The key of a parameter's field error. */
export const argField = (name: string): string => `args.${name}`;

/** The key of an error about the arguments as a whole. */
export const ARGS_FIELD = "args";

/** Field errors as the run form shows them: an argument's under its parameter's name, the others as they are. */
export function formFieldErrors(fieldErrors: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(fieldErrors).map(([k, v]) => [k.startsWith(argField("")) ? k.slice(argField("").length) : k, v]));
}

/** Field errors for where no field shows them: the message followed by each `field: error`. */
export function withFieldErrors(message: string, fieldErrors: Record<string, string> = {}): string {
  return [message, ...Object.entries(fieldErrors).map(([k, v]) => `${k}: ${v}`)].join("; ");
}

/** `raw` as an object of parameter values within `caps`, or the error naming what is wrong. */
export function checkArgSizes(raw: unknown, caps: { fieldBytes: number; totalBytes: number }): Record<string, unknown> {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw validation("args must be an object of parameter values", { [ARGS_FIELD]: "expected an object" });
  const args = raw as Record<string, unknown>;
  const oversized = oversizedArgs(args, caps);
  if (!oversized) return args;
  if ("total" in oversized) throw new AppError("too_large", oversized.total, { fieldErrors: { [ARGS_FIELD]: oversized.total } });
  const fieldErrors = Object.fromEntries(Object.entries(oversized.fields).map(([k, v]) => [argField(k), v]));
  throw new AppError("too_large", `argument ${Object.keys(oversized.fields).join(", ")} is too large`, { fieldErrors });
}

/** `args` validated against `fn`'s parameters (every field error at once), as the runtime gets them. */
export function checkArgs(fn: ManifestFunction, args: Record<string, unknown>): Record<string, unknown> {
  try {
    return validateArgs(fn, args);
  } catch (err) {
    if (err instanceof ParamValidationError) {
      throw invalidFields(Object.fromEntries(Object.entries(err.errors).map(([k, v]) => [argField(k), v])));
    }
    throw err;
  }
}

/**
 * Refuses target parameters outside the project's scope (422): each such parameter's field error
 * names its value and the rule it broke; the message is the first of them.
 */
export function checkArgsInScope(fn: ManifestFunction, args: Record<string, unknown>, scope: Scope): void {
  const out = Object.entries(argsOutOfScope(scope, fn.params, args));
  if (out.length === 0) return;
  throw validation(out[0]![1].message, Object.fromEntries(out.map(([name, r]) => [argField(name), r.message])));
}
