/**
 * Every route module (`app/api/**` and `app/metrics`), for the OpenAPI document. A test compares this list with the
 * route files on disk, so a new route cannot be missing from the document: add one line here.
 * Modules load when the document is first asked for (literal paths, so Next bundles them).
 */
import type { RouteModule } from "../../../lib/api/openapi.ts";

type Loader = () => Promise<Record<string, unknown>>;

export const API_ROUTE_FILES: Record<string, Loader> = {
  "app/api/auth/[...nextauth]/route.ts": () => import("../auth/[...nextauth]/route.ts"),
  "app/api/me/route.ts": () => import("../me/route.ts"),
  "app/api/openapi.json/route.ts": () => import("./route.ts"),
  "app/api/packages/route.ts": () => import("../packages/route.ts"),
  "app/api/packages/[ns]/[name]/route.ts": () => import("../packages/[ns]/[name]/route.ts"),
  "app/api/packages/[ns]/[name]/versions/[version]/route.ts": () => import("../packages/[ns]/[name]/versions/[version]/route.ts"),
  "app/api/packages/[ns]/[name]/versions/[version]/archive/route.ts": () => import("../packages/[ns]/[name]/versions/[version]/archive/route.ts"),
  "app/api/runs/route.ts": () => import("../runs/route.ts"),
  "app/api/runs/[id]/route.ts": () => import("../runs/[id]/route.ts"),
  "app/api/runs/[id]/cancel/route.ts": () => import("../runs/[id]/cancel/route.ts"),
  "app/api/runs/[id]/documents/route.ts": () => import("../runs/[id]/documents/route.ts"),
  "app/api/runs/[id]/events/route.ts": () => import("../runs/[id]/events/route.ts"),
  "app/api/runs/[id]/debug/route.ts": () => import("../runs/[id]/debug/route.ts"),
  "app/api/debug/[session]/route.ts": () => import("../debug/[session]/route.ts"),
  "app/api/debug/[session]/events/route.ts": () => import("../debug/[session]/events/route.ts"),
  "app/api/debug/[session]/input/route.ts": () => import("../debug/[session]/input/route.ts"),
  "app/api/runs/compare/route.ts": () => import("../runs/compare/route.ts"),
  "app/api/results/collections/route.ts": () => import("../results/collections/route.ts"),
  "app/api/results/documents/route.ts": () => import("../results/documents/route.ts"),
  "app/api/results/documents/[id]/route.ts": () => import("../results/documents/[id]/route.ts"),
  "app/api/results/export/route.ts": () => import("../results/export/route.ts"),
  "app/api/results/chart/route.ts": () => import("../results/chart/route.ts"),
  "app/api/runs/[id]/rerun/route.ts": () => import("../runs/[id]/rerun/route.ts"),
  "app/api/scans/[id]/route.ts": () => import("../scans/[id]/route.ts"),
  "app/api/scans/[id]/run/route.ts": () => import("../scans/[id]/run/route.ts"),
  "app/api/scans/route.ts": () => import("../scans/route.ts"),
  "app/api/worker/heartbeat/route.ts": () => import("../worker/heartbeat/route.ts"),
  "app/api/worker/images/[imageId]/route.ts": () => import("../worker/images/[imageId]/route.ts"),
  "app/api/worker/packages/[sha256]/route.ts": () => import("../worker/packages/[sha256]/route.ts"),
  "app/api/worker/poll/route.ts": () => import("../worker/poll/route.ts"),
  "app/api/worker/register/route.ts": () => import("../worker/register/route.ts"),
  "app/api/worker/runs/[id]/events/route.ts": () => import("../worker/runs/[id]/events/route.ts"),
  "app/api/worker/debug/[session]/stream/route.ts": () => import("../worker/debug/[session]/stream/route.ts"),
  "app/api/worker/debug/[session]/output/route.ts": () => import("../worker/debug/[session]/output/route.ts"),
  "app/api/worker/runs/[id]/store/route.ts": () => import("../worker/runs/[id]/store/route.ts"),
  "app/api/worker/runs/[id]/secrets/route.ts": () => import("../worker/runs/[id]/secrets/route.ts"),
  "app/api/devices/route.ts": () => import("../devices/route.ts"),
  "app/api/devices/[id]/route.ts": () => import("../devices/[id]/route.ts"),
  "app/api/projects/route.ts": () => import("../projects/route.ts"),
  "app/api/projects/[slug]/route.ts": () => import("../projects/[slug]/route.ts"),
  "app/api/projects/[slug]/members/route.ts": () => import("../projects/[slug]/members/route.ts"),
  "app/api/projects/[slug]/scope/route.ts": () => import("../projects/[slug]/scope/route.ts"),
  "app/api/projects/[slug]/imports/route.ts": () => import("../projects/[slug]/imports/route.ts"),
  "app/api/projects/[slug]/members/[username]/route.ts": () => import("../projects/[slug]/members/[username]/route.ts"),
  "app/api/projects/[slug]/invites/route.ts": () => import("../projects/[slug]/invites/route.ts"),
  "app/api/projects/[slug]/invites/[id]/route.ts": () => import("../projects/[slug]/invites/[id]/route.ts"),
  "app/api/projects/[slug]/invites/accept/route.ts": () => import("../projects/[slug]/invites/accept/route.ts"),
  "app/api/projects/[slug]/secrets/route.ts": () => import("../projects/[slug]/secrets/route.ts"),
  "app/api/projects/[slug]/secrets/[id]/route.ts": () => import("../projects/[slug]/secrets/[id]/route.ts"),
  "app/api/audit/route.ts": () => import("../audit/route.ts"),
  "app/api/audit/export/route.ts": () => import("../audit/export/route.ts"),
  "app/api/files/route.ts": () => import("../files/route.ts"),
  "app/api/files/[id]/route.ts": () => import("../files/[id]/route.ts"),
  "app/api/worker/files/[sha256]/route.ts": () => import("../worker/files/[sha256]/route.ts"),
  "app/api/projects/[slug]/assets/hosts/route.ts": () => import("../projects/[slug]/assets/hosts/route.ts"),
  "app/api/projects/[slug]/assets/hosts/[address]/route.ts": () => import("../projects/[slug]/assets/hosts/[address]/route.ts"),
  "app/api/projects/[slug]/assets/services/route.ts": () => import("../projects/[slug]/assets/services/route.ts"),
  "app/api/projects/[slug]/findings/route.ts": () => import("../projects/[slug]/findings/route.ts"),
  "app/api/projects/[slug]/findings/[id]/route.ts": () => import("../projects/[slug]/findings/[id]/route.ts"),
  "app/api/health/route.ts": () => import("../health/route.ts"),
  "app/api/ready/route.ts": () => import("../ready/route.ts"),
  "app/metrics/route.ts": () => import("../../metrics/route.ts"),
  "app/api/favourites/route.ts": () => import("../favourites/route.ts"),
  "app/api/authors/[username]/route.ts": () => import("../authors/[username]/route.ts"),
  "app/api/packages/[ns]/[name]/comments/route.ts": () => import("../packages/[ns]/[name]/comments/route.ts"),
  "app/api/comments/[id]/route.ts": () => import("../comments/[id]/route.ts"),
  "app/api/comments/[id]/moderation/route.ts": () => import("../comments/[id]/moderation/route.ts"),
};

/** The route modules, loaded; `skip` leaves some out (tests: next-auth's module needs Next's bundler). */
export async function loadApiRoutes(skip: (file: string) => boolean = () => false): Promise<RouteModule[]> {
  const files = Object.keys(API_ROUTE_FILES).filter((f) => !skip(f));
  return Promise.all(files.map(async (file) => ({ file, module: await API_ROUTE_FILES[file]() })));
}
