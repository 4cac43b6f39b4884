import "server-only";
import { Prisma } from "../generated/prisma/client.ts";
import { isAdmin } from "../access/permissions.ts";
import type { Viewer } from "../types.ts";
import { visibilityKey } from "./facet-cache.ts";

/**
 * canViewPackage (lib/access/permissions.ts) as a SQL condition over `p` ("Package") and `n`
 * ("Namespace"): public packages, the viewer's own, everything for admins. Every catalog query
 * puts it in its WHERE, so a hidden package is never listed nor counted in a facet.
 */
export function visibleSql(viewer: Viewer | null): Prisma.Sql {
  if (!viewer) return Prisma.sql`NOT p."private"`;
  // an API token limited to one namespace sees private packages only there
  const limit = viewer.token?.namespace;
  const own = isAdmin(viewer) ? Prisma.sql`TRUE` : Prisma.sql`n."ownerId" = ${viewer.id}`;
  if (!limit) return isAdmin(viewer) ? Prisma.sql`TRUE` : Prisma.sql`(NOT p."private" OR ${own})`;
  return Prisma.sql`(NOT p."private" OR (n."name" = ${limit} AND ${own}))`;
}

/**
 * canViewPackage for the user `u` ("User") as they sign in (no API token), over `p` ("Package") and
 * `n` ("Namespace"): whether that user may see the package now. Favourite counts count only such
 * users, so a package that turned private is no longer counted as the favourite of those it hid from.
 */
export function userSeesSql(): Prisma.Sql {
  return Prisma.sql`(NOT p."private" OR u."role" = 'admin' OR n."ownerId" = u."id")`;
}

/** What `visibleSql(viewer)` lets through, as a key for counts kept per visibility (facet-cache.ts). */
export function viewerVisibilityKey(viewer: Viewer | null): string {
  return visibilityKey(viewer && { id: viewer.id, admin: isAdmin(viewer), tokenNamespace: viewer.token?.namespace });
}
