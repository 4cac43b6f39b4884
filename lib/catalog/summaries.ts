import "server-only";
import { ATTCK_TACTICS, BLACKARCH_CATEGORIES } from "../packages/categories.ts";
import { db } from "../platform/db.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { ExportSummary, PackageSummary } from "../types.ts";
import { packageFavouriteCounts } from "./favourite-counts.ts";

const canonical = (order: readonly { key: string }[], keys: string[]) => order.map((c) => c.key).filter((k) => keys.includes(k));

const searchSelect = {
  packageId: true,
  versionId: true,
  desc: true,
  tags: true,
  attck: true,
  blackarch: true,
  kinds: true,
  functions: true,
  version: { select: { version: true } },
  package: { select: { name: true, private: true, updatedAt: true, officialAt: true, officialBy: { select: { username: true } }, namespace: { select: { name: true } } } },
} satisfies Prisma.PackageSearchSelect;

type SearchRow = Prisma.PackageSearchGetPayload<{ select: typeof searchSelect }>;

function toSummary(row: SearchRow, matches: ExportSummary[], favourites: number): PackageSummary {
  const p = row.package;
  return {
    id: row.packageId,
    namespace: p.namespace.name,
    name: p.name,
    fullName: `${p.namespace.name}.${p.name}`,
    version: row.version.version,
    desc: row.desc,
    tags: row.tags,
    attck: canonical(ATTCK_TACTICS, row.attck),
    blackarch: canonical(BLACKARCH_CATEGORIES, row.blackarch),
    kinds: (["tool", "workflow"] as const).filter((k) => row.kinds.includes(k)),
    functions: row.functions,
    private: p.private,
    updatedAt: p.updatedAt.toISOString(),
    matches,
    official: p.officialAt ? { at: p.officialAt.toISOString(), by: p.officialBy?.username ?? null } : null,
    favourites,
  };
}

type ExportMatchRow = ExportSummary & { versionId: string };

/** The exports of these versions that a full-text query matches (each one alone, all its words). */
async function matchingExports(versionIds: string[], tsquery: string): Promise<Map<string, ExportSummary[]>> {
  const rows = await db().$queryRaw<ExportMatchRow[]>`
    SELECT e."versionId", e."qualified", e."name", e."kind"::text AS "kind", e."tool", e."desc", e."tags", e."attck", e."blackarch"
    FROM "Export" e
    WHERE e."versionId" = ANY(${versionIds})
      AND to_tsvector('simple', "levhub_search_words"(e."qualified") || ' ' || e."desc" || ' ' || e."doc" || ' ' || array_to_string(e."tags", ' '))
          @@ to_tsquery('simple', ${tsquery})
    ORDER BY e."qualified"`;
  const byVersion = new Map<string, ExportSummary[]>();
  for (const { versionId, ...e } of rows) byVersion.set(versionId, [...(byVersion.get(versionId) ?? []), e]);
  return byVersion;
}

/**
 * Package cards for these ids, in this order, from the search rows (no manifest is read), with
 * their favourite counts (one statement for the page). With a full-text query, `matches` lists the
 * functions it matched.
 */
export async function summariesOf(ids: string[], tsquery: string | null = null): Promise<PackageSummary[]> {
  if (!ids.length) return [];
  const [rows, counts] = await Promise.all([db().packageSearch.findMany({ where: { packageId: { in: ids } }, select: searchSelect }), packageFavouriteCounts(ids)]);
  const matches = tsquery ? await matchingExports(rows.map((r) => r.versionId), tsquery) : new Map<string, ExportSummary[]>();
  const byId = new Map(rows.map((r) => [r.packageId, r]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [toSummary(row, matches.get(row.versionId) ?? [], counts.get(id) ?? 0)] : [];
  });
}
