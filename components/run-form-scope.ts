/**
 * The run form's scope check (pure): the same rules the hub applies in `resolveRunTarget`, run in
 * the browser on the values `validateArgs` accepted, so an out-of-scope target is named before
 * anything is sent. The hub checks again; this only saves a round trip.
 */
import type { ManifestFunction } from "../runner/src/manifest/introspect.ts";
import { argsOutOfScope, paramTargetKind, type Scope } from "../runner/src/scope/rules.ts";

/** The scopes of the projects the form may send a run to, by slug, and the project chosen at first. */
export interface FormScopes {
  bySlug: Record<string, Scope | null>;
  initial: string;
}

/** Per-parameter messages for target values outside the scope; none when unscoped. */
export function scopeErrors(fn: Pick<ManifestFunction, "params">, args: Record<string, unknown>, scope: Scope | null): Record<string, string> {
  if (!scope) return {};
  return Object.fromEntries(Object.entries(argsOutOfScope(scope, fn.params, args)).map(([name, r]) => [name, r.message]));
}

/** Whether the function has a parameter that names targets (the form then shows the project's scope). */
export const hasTargetParams = (fn: Pick<ManifestFunction, "params">) => fn.params.some((p) => paramTargetKind(p) !== null);
