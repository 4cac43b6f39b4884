import "server-only";
import { db } from "../platform/db.ts";
import { notFound } from "../errors.ts";
import { canViewPackage } from "../access/permissions.ts";
import type { Viewer } from "../types.ts";

export interface PackageRef {
  id: string;
  namespace: string;
  name: string;
  /** `ns.name` */
  fullName: string;
}

/**
 * A published package the viewer may see, by name, without its versions or manifest (favourites,
 * comments); 404 alike when it is missing, unpublished or hidden from the viewer.
 */
export async function visiblePackageRef(viewer: Viewer | null, ns: string, name: string): Promise<PackageRef> {
  const row = await db().package.findFirst({
    where: { name, namespace: { name: ns } },
    select: { id: true, name: true, private: true, latestVersionId: true, namespace: { select: { name: true, ownerId: true } } },
  });
  if (!row || !row.latestVersionId || !canViewPackage(viewer, row)) throw notFound(`package ${ns}.${name}`);
  return { id: row.id, namespace: row.namespace.name, name: row.name, fullName: `${row.namespace.name}.${row.name}` };
}
