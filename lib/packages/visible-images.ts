import "server-only";
import { db } from "../platform/db.ts";
import { isAdmin } from "../access/permissions.ts";
import type { Viewer } from "../types.ts";

export interface VisiblePackageImage {
  namespace: string;
  name: string;
  /** the image built for the package's latest version */
  imageId: string;
}

/**
 * Built images of the packages `who` may see, each at its latest version: what its runs may use
 * and its Dockerfiles may build FROM. Public packages, its own, and (admins, the hub) all.
 */
export async function visiblePackageImages(who: Viewer | "system"): Promise<VisiblePackageImage[]> {
  const limit = who === "system" ? null : (who.token?.namespace ?? null);
  const everyone = who === "system" || (isAdmin(who) && !limit);
  // canViewPackage as a query: private packages of its own (any, for an admin), only in a token's namespace
  const ownPrivate = who === "system" ? {} : { namespace: { ...(isAdmin(who) ? {} : { ownerId: who.id }), ...(limit ? { name: limit } : {}) } };
  const rows = await db().package.findMany({
    where: {
      latestVersion: { imageDigest: { not: null } },
      ...(everyone ? {} : { OR: [{ private: false }, ownPrivate] }),
    },
    select: { name: true, namespace: { select: { name: true } }, latestVersion: { select: { imageDigest: true } } },
  });
  return rows.map((p) => ({ namespace: p.namespace.name, name: p.name, imageId: p.latestVersion!.imageDigest! }));
}
