import "server-only";
import { ATTCK_TACTICS, BLACKARCH_CATEGORIES } from "../packages/categories.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { CategoryCount, PackageSummary, Viewer } from "../types.ts";
import { cardsJsonSql, parseCards } from "./cards.ts";
import { FacetCache } from "./facet-cache.ts";
import { catalogQuery } from "./pool.ts";
import { viewerVisibilityKey, visibleSql } from "./visibility.ts";

/** The overview's counts; null when the kept ones (of `generation`) still hold. */
interface OverviewRow {
  generation: string;
  counts: string | null;
}

interface OverviewCounts {
  packages: number;
  functions: number;
  attck: Record<string, number>;
  blackarch: Record<string, number>;
}

/** The overview's counts per visibility (facet-cache.ts): recounted only when the catalog generation moved. */
const overviewCache = new FacetCache<OverviewCounts>(256);

/** Home page: every ATT&CK tactic and BlackArch category with how many visible packages have it (0 too), by SQL aggregates kept while the catalog generation stays. */
export async function categoryOverview(viewer: Viewer | null): Promise<{
  attck: CategoryCount[];
  blackarch: CategoryCount[];
  packages: number;
  functions: number;
}> {
  const key = viewerVisibilityKey(viewer);
  const kept = overviewCache.get(key);
  const [row] = await catalogQuery<OverviewRow>(Prisma.sql`
    WITH v AS MATERIALIZED (
      SELECT s."attck", s."blackarch", s."functions"
      FROM "PackageSearch" s
      JOIN "Package" p ON p."id" = s."packageId"
      JOIN "Namespace" n ON n."id" = p."namespaceId"
      WHERE p."latestVersionId" IS NOT NULL AND ${visibleSql(viewer)}
    )
    SELECT (SELECT "generation"::text FROM "CatalogGeneration" WHERE "id" = 1) AS generation,
      CASE WHEN (SELECT "generation"::text FROM "CatalogGeneration" WHERE "id" = 1) IS DISTINCT FROM ${kept?.generation ?? null}::text THEN json_build_object(
        'packages', (SELECT count(*)::int FROM v),
        'functions', (SELECT coalesce(sum("functions"), 0)::int FROM v),
        'attck', (SELECT coalesce(json_object_agg(k, c), '{}') FROM (SELECT k, count(*)::int c FROM (SELECT unnest(v."attck") k FROM v) u GROUP BY k) x),
        'blackarch', (SELECT coalesce(json_object_agg(k, c), '{}') FROM (SELECT k, count(*)::int c FROM (SELECT unnest(v."blackarch") k FROM v) u GROUP BY k) x)
      )::text END AS counts`);
  let counts: OverviewCounts;
  if (row.counts !== null) overviewCache.set(key, row.generation, (counts = JSON.parse(row.counts) as OverviewCounts));
  else if (kept && kept.generation === row.generation) counts = kept.counted;
  else throw new Error("the catalog overview came back without counts and none were kept for its generation");
  const { attck, blackarch } = counts;
  return {
    attck: ATTCK_TACTICS.map((c) => ({ ...c, count: attck[c.key] ?? 0 })),
    blackarch: BLACKARCH_CATEGORIES.map((c) => ({ ...c, count: blackarch[c.key] ?? 0 })),
    packages: counts.packages,
    functions: counts.functions,
  };
}

/**
 * The most recently published visible packages, newest first (the home page's "Recently
 * published"). A publish of any version moves the package's updatedAt; curation keeps it.
 */
export async function recentPackages(viewer: Viewer | null, limit = 6): Promise<PackageSummary[]> {
  const take = Math.min(100, Math.max(1, Math.floor(limit)));
  const recent = Prisma.sql`(SELECT p."id", row_number() OVER (ORDER BY p."updatedAt" DESC, p."id") AS "ord"
    FROM "Package" p
    JOIN "Namespace" n ON n."id" = p."namespaceId"
    WHERE p."latestVersionId" IS NOT NULL AND ${visibleSql(viewer)}
    ORDER BY p."updatedAt" DESC, p."id"
    LIMIT ${take})`;
  const [row] = await catalogQuery<{ cards: string }>(Prisma.sql`SELECT ${cardsJsonSql(recent, null)} AS "cards"`);
  return parseCards(row.cards);
}

/** What the home page shows of the catalog: the category overview and the newest packages. */
export async function homeCatalog(viewer: Viewer | null): Promise<{ overview: Awaited<ReturnType<typeof categoryOverview>>; recent: PackageSummary[] }> {
  const [overview, recent] = await Promise.all([categoryOverview(viewer), recentPackages(viewer, 6)]);
  return { overview, recent };
}
