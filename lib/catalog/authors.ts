import "server-only";
import { db } from "../platform/db.ts";
import { notFound } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { isAdmin } from "../access/permissions.ts";
import type { AuthorPage, AuthorSummary, Viewer } from "../types.ts";
import { summariesOf } from "./summaries.ts";
import { visibleSql } from "./visibility.ts";

/** A page of an author's packages. */
export const AUTHOR_PAGE_SIZE = 20;

/** The author's packages (in namespaces they own) that the viewer may see, as a condition on `p` and `n`. */
const ownedVisible = (viewer: Viewer | null, userId: Prisma.Sql) =>
  Prisma.sql`n."ownerId" = ${userId} AND p."latestVersionId" IS NOT NULL AND ${visibleSql(viewer)}`;

/**
 * Who the viewer may know as an author, as a condition on the user id `userId`: someone with a
 * package the viewer may see; the viewer themselves; anyone for an admin. A user with only private
 * packages is no author to others, so an author page never tells that their private packages exist.
 */
export function authorVisibleSql(viewer: Viewer | null, userId: Prisma.Sql): Prisma.Sql {
  const anyPackage = Prisma.sql`EXISTS (SELECT 1 FROM "Package" p JOIN "Namespace" n ON n."id" = p."namespaceId" WHERE ${ownedVisible(viewer, userId)})`;
  if (!viewer) return anyPackage;
  if (isAdmin(viewer)) return Prisma.sql`TRUE`;
  return Prisma.sql`(${userId} = ${viewer.id} OR ${anyPackage})`;
}

interface AuthorRow {
  id: string;
  username: string;
  name: string | null;
  packages: number;
  followers: number;
}

/** These users as authors the viewer may know (the others are left out), with their counts, keyed by user id. */
export async function authorSummaries(viewer: Viewer | null, userIds: string[]): Promise<Map<string, AuthorSummary>> {
  if (!userIds.length) return new Map();
  const rows = await db().$queryRaw<AuthorRow[]>`
    SELECT u."id", u."username", u."name",
      (SELECT count(*) FROM "Package" p JOIN "Namespace" n ON n."id" = p."namespaceId" WHERE ${ownedVisible(viewer, Prisma.sql`u."id"`)})::int AS "packages",
      (SELECT count(*) FROM "Favourite" f WHERE f."authorId" = u."id")::int AS "followers"
    FROM "User" u
    WHERE u."id" = ANY(${userIds}) AND ${authorVisibleSql(viewer, Prisma.sql`u."id"`)}`;
  return new Map(rows.map((r) => [r.id, { username: r.username, name: r.name, packages: r.packages, followers: r.followers }]));
}

/** `/u/<username>`: the author, whether the viewer made them a favourite, and a page of their packages, newest first. 404 when not an author to the viewer. */
export async function getAuthor(viewer: Viewer | null, username: string, page = 1): Promise<AuthorPage> {
  const user = await db().user.findUnique({ where: { username }, select: { id: true } });
  const author = user ? (await authorSummaries(viewer, [user.id])).get(user.id) : undefined;
  if (!user || !author) throw notFound(`author ${username}`);
  const at = Number.isFinite(page) ? Math.max(1, Math.min(10_000, Math.floor(page))) : 1;
  const [rows, mine] = await Promise.all([
    db().$queryRaw<{ id: string }[]>`
      SELECT p."id" FROM "Package" p JOIN "Namespace" n ON n."id" = p."namespaceId"
      WHERE ${ownedVisible(viewer, Prisma.sql`${user.id}`)}
      ORDER BY p."updatedAt" DESC, p."id"
      LIMIT ${AUTHOR_PAGE_SIZE} OFFSET ${(at - 1) * AUTHOR_PAGE_SIZE}`,
    viewer ? db().favourite.findFirst({ where: { userId: viewer.id, authorId: user.id }, select: { id: true } }) : null,
  ]);
  return { author, favourited: mine !== null, packages: await summariesOf(rows.map((r) => r.id)), page: at, pageSize: AUTHOR_PAGE_SIZE };
}
