import "server-only";
import { db } from "../platform/db.ts";
import { userSeesSql } from "./visibility.ts";

/**
 * How many users made each package a favourite (`fn` "": the package itself), counting only those
 * who may see it now: one statement for a page of cards. A public package's count reads the
 * (packageId, function) index alone; only a private one joins the users to drop those it hides from.
 */
export async function packageFavouriteCounts(ids: string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const rows = await db().$queryRaw<{ id: string; count: number }[]>`
    SELECT p."id",
      (CASE WHEN NOT p."private"
        THEN (SELECT count(*) FROM "Favourite" f WHERE f."packageId" = p."id" AND f."function" = '')
        ELSE (SELECT count(*) FROM "Favourite" f JOIN "User" u ON u."id" = f."userId"
              WHERE f."packageId" = p."id" AND f."function" = '' AND ${userSeesSql()})
      END)::int AS "count"
    FROM "Package" p
    JOIN "Namespace" n ON n."id" = p."namespaceId"
    WHERE p."id" = ANY(${ids})`;
  return new Map(rows.map((r) => [r.id, r.count]));
}

/** How many users made each function of these packages a favourite, of those who may see the package now: package id → function → count. */
export async function functionFavouriteCounts(packageIds: string[]): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  if (!packageIds.length) return out;
  const rows = await db().$queryRaw<{ packageId: string; function: string; count: number }[]>`
    SELECT f."packageId", f."function", count(*)::int AS "count"
    FROM "Favourite" f
    JOIN "User" u ON u."id" = f."userId"
    JOIN "Package" p ON p."id" = f."packageId"
    JOIN "Namespace" n ON n."id" = p."namespaceId"
    WHERE f."packageId" = ANY(${packageIds}) AND f."function" <> '' AND ${userSeesSql()}
    GROUP BY f."packageId", f."function"`;
  for (const r of rows) out.set(r.packageId, (out.get(r.packageId) ?? new Map()).set(r.function, r.count));
  return out;
}
