/** How the pure container decisions say no: a result or a structured refusal (never a thrown string). */
import type { RunError } from "../types.ts";

export type ConfigResult<T> = { ok: true; value: T } | { ok: false; error: RunError };

export const GRANT_HINT = "an admin can grant it (Admin → Policy)";

export function policyDenied(message: string): RunError {
  return { type: "PolicyDenied", message };
}
