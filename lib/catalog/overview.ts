import "server-only";
import { ATTCK_TACTICS, BLACKARCH_CATEGORIES } from "../packages/categories.ts";
import { db } from "../platform/db.ts";
import type { CategoryCount, PackageSummary, Viewer } from "../types.ts";
import { summariesOf } from "./summaries.ts";
import { visibleSql } from "./visibility.ts";

interface OverviewRow {
  packages: number;
  functions: number;
  attck: string;
  blackarch: string;
}

/** Home page: every ATT&CK tactic and BlackArch category with how many visible packages have it (0 too), by SQL aggregates. */
export async function categoryOverview(viewer: Viewer | null): Promise<{
  attck: CategoryCount[];
  blackarch: CategoryCount[];
  packages: number;
  functions: number;
}> {
  const [row] = await db().$queryRaw<OverviewRow[]>`
    WITH v AS MATERIALIZED (
      SELECT s."attck", s."blackarch", s."functions"
      FROM "PackageSearch" s
      JOIN "Package" p ON p."id" = s."packageId"
      JOIN "Namespace" n ON n."id" = p."namespaceId"
      WHERE p."latestVersionId" IS NOT NULL AND ${visibleSql(viewer)}
    )
    SELECT
      (SELECT count(*)::int FROM v) AS packages,
      (SELECT coalesce(sum("functions"), 0)::int FROM v) AS functions,
      (SELECT coalesce(json_object_agg(k, c), '{}')::text FROM (SELECT k, count(*)::int c FROM (SELECT unnest(v."attck") k FROM v) u GROUP BY k) x) AS attck,
      (SELECT coalesce(json_object_agg(k, c), '{}')::text FROM (SELECT k, count(*)::int c FROM (SELECT unnest(v."blackarch") k FROM v) u GROUP BY k) x) AS blackarch`;
  const attck = JSON.parse(row.attck) as Record<string, number>;
  const blackarch = JSON.parse(row.blackarch) as Record<string, number>;
  return {
    attck: ATTCK_TACTICS.map((c) => ({ ...c, count: attck[c.key] ?? 0 })),
    blackarch: BLACKARCH_CATEGORIES.map((c) => ({ ...c, count: blackarch[c.key] ?? 0 })),
    packages: row.packages,
    functions: row.functions,
  };
}

/**
 * The most recently published visible packages, newest first (the home page's "Recently
 * published"). A publish of any version moves the package's updatedAt; curation keeps it.
 */
export async function recentPackages(viewer: Viewer | null, limit = 6): Promise<PackageSummary[]> {
  const take = Math.min(100, Math.max(1, Math.floor(limit)));
  const rows = await db().$queryRaw<{ id: string }[]>`
    SELECT p."id"
    FROM "Package" p
    JOIN "Namespace" n ON n."id" = p."namespaceId"
    WHERE p."latestVersionId" IS NOT NULL AND ${visibleSql(viewer)}
    ORDER BY p."updatedAt" DESC, p."id"
    LIMIT ${take}`;
  return summariesOf(rows.map((r) => r.id));
}

/** What the home page shows of the catalog: the category overview and the newest packages. */
export async function homeCatalog(viewer: Viewer | null): Promise<{ overview: Awaited<ReturnType<typeof categoryOverview>>; recent: PackageSummary[] }> {
  const [overview, recent] = await Promise.all([categoryOverview(viewer), recentPackages(viewer, 6)]);
  return { overview, recent };
}
