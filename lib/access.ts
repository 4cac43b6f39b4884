/**
 * Who may call a route handler or a server action: the one closed set of access levels. The route
 * wrapper (`lib/api/route.ts`), the action wrappers (`lib/actions/safe-action.ts`), the
 * authorization matrix tests and, later, the OpenAPI generator all read it from the declarations.
 * Ownership (someone else's run or private package) is not an access level: lib functions decide
 * it and answer `not_found`.
 */
import { AppError } from "./errors.ts";
import type { Viewer } from "./types.ts";

export const ACCESS_LEVELS = ["public", "user", "admin"] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

/** The refusal a viewer gets at an access level, or null when the call may go on. Pure. */
export function accessRefusal(access: Access, viewer: Viewer | null): AppError | null {
  if (access === "public") return null;
  if (!viewer) return new AppError("unauthorized", "sign in, or send 'Authorization: Bearer <token>' (create one in Settings)");
  if (access === "admin" && viewer.role !== "admin") return new AppError("forbidden", "only an admin may do this");
  return null;
}
