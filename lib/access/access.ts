/**
 * Who may call a route handler or a server action: the one closed set of access levels. The route
 * wrapper (`lib/api/route.ts`), the action wrappers (`lib/actions/safe-action.ts`), the
 * authorization matrix tests and, later, the OpenAPI generator all read it from the declarations.
 * Ownership (someone else's run or private package) is not an access level: lib functions decide
 * it and answer `not_found`.
 */
import type { Viewer } from "../types.ts";

export const ACCESS_LEVELS = ["public", "user", "admin", "worker", "metrics"] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

/**
 * A worker process's credential (`lwk_…`: a hub worker; `ldv_…`: a user's device): it may run
 * containers and report on runs it was given, nothing a user may do.
 */
export interface WorkerCaller {
  credentialId: string;
  name: string;
  /** set for a device credential: its worker takes only this user's runs sent to this device */
  device?: { id: string; ownerId: string; name: string } | null;
  /**
   * this request's sequence number (runner/worker/protocol.ts REQUEST_SEQ_HEADER); null when it
   * sent none or a malformed one, and no instance admits such a request
   */
  requestSeq?: number | null;
}

/**
 * Why a caller is refused at an access level, or null when the call may go on. Pure. A user (session
 * or API token) never passes `worker` or `metrics`, and a worker credential or the metrics token
 * (`scraper`) is no viewer at all.
 */
export function accessRefusal(access: Access, viewer: Viewer | null, worker: WorkerCaller | null = null, scraper = false): "unauthorized" | "forbidden" | null {
  if (access === "worker") return worker && !viewer ? null : "unauthorized";
  if (access === "metrics") return scraper && !viewer && !worker ? null : "unauthorized";
  if (access === "public") return null;
  if (!viewer) return "unauthorized";
  if (access === "admin" && viewer.role !== "admin") return "forbidden";
  return null;
}
