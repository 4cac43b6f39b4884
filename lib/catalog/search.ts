import "server-only";
import { categoryLabel } from "../packages/categories.ts";
import { validation } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { BrowseQuery, BrowseResult, FacetCount, Viewer } from "../types.ts";
import { browseQuerySchema, type ParsedBrowseQuery } from "../schemas/packages.ts";
import { FUZZY_NAME_THRESHOLD, RANKED_CANDIDATES, TAG_FACET_LIMIT, textSearch, type TextSearch } from "./query.ts";
import { cardsJsonSql, parseCards } from "./cards.ts";
import { catalogQuery } from "./pool.ts";
import { viewerVisibilityKey, visibleSql } from "./visibility.ts";
import { FacetCache, type CountedFacets, type Pair } from "./facet-cache.ts";

/** The statement's answer; the counts are null when the kept ones (of `generation`) still hold. */
interface SearchRow {
  generation: string;
  items: string;
  total: number | null;
  tactic: string | null;
  category: string | null;
  tag: string | null;
  kind: string | null;
  official: number | null;
}

/** The counts of this process's recent searches (facet-cache.ts). */
const facetCache = new FacetCache();

function countsOf(row: SearchRow): CountedFacets | null {
  if (row.total === null || row.tactic === null || row.category === null || row.tag === null || row.kind === null || row.official === null) return null;
  return {
    total: row.total,
    tactic: JSON.parse(row.tactic) as Pair[],
    category: JSON.parse(row.category) as Pair[],
    tag: JSON.parse(row.tag) as Pair[],
    kind: JSON.parse(row.kind) as Pair[],
    official: row.official,
  };
}

const TRUE = Prisma.sql`TRUE`;

/** One filter as a condition over the matched rows (TRUE when the filter is not set). */
function filterSql(q: ParsedBrowseQuery) {
  return {
    tactic: q.tactic ? Prisma.sql`${q.tactic} = ANY(s."attck")` : TRUE,
    category: q.category ? Prisma.sql`${q.category} = ANY(s."blackarch")` : TRUE,
    tag: q.tag ? Prisma.sql`${q.tag} = ANY(s."tags")` : TRUE,
    kind: q.kind ? Prisma.sql`${q.kind} = ANY(s."kinds")` : TRUE,
    official: q.official ? Prisma.sql`p."officialAt" IS NOT NULL` : TRUE,
  };
}

/**
 * One page of `rel` in `order` as (`id`, `ord` its place on the page). The page is cut before it is
 * numbered: a window over the whole ordering would sort every row, the cut keeps only the
 * rows up to the page's end (a bounded sort: page 1 of 10,000 packages holds 20 rows, not 10,000).
 */
function pageOf(rel: Prisma.Sql, order: Prisma.Sql, page: number, pageSize: number): Prisma.Sql {
  return Prisma.sql`SELECT id, row_number() OVER (ORDER BY ${order}) AS ord
    FROM (SELECT * FROM ${rel} x ORDER BY ${order} LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}) cut`;
}

/**
 * The order of a text search's page. Its rank is `ts_rank_cd` over the weighted document plus the
 * name's trigram word similarity; both cost microseconds a row, too many for a word in most of the
 * catalog. So each match carries only `r` (its `ts_rank_cd`) and `bound`, an upper bound on its
 * rank: r + 1 when the name index found it (a similarity is at most 1), r + the fuzzy threshold
 * otherwise (below it, or the name index would have found it). The RANKED_CANDIDATES matches
 * with the highest bound are ranked exactly and come first: a match left out ranks below every
 * candidate whose rank exceeds the last candidate's bound, so the first pages are the exact order
 * whenever the best matches stand out at all (and always with at most RANKED_CANDIDATES matches).
 * The rest follow, ranked among themselves, and only a page past the candidates ranks them: every
 * match is on exactly one page, and the total stays the count of all matches.
 */
function textPageSql(text: TextSearch, page: number, pageSize: number): Prisma.Sql {
  const rank = Prisma.sql`r + word_similarity(${text.text}, name)`;
  const rest = page * pageSize > RANKED_CANDIDATES
    ? Prisma.sql`UNION ALL SELECT id, name, ns, 1, ${rank} FROM m
        WHERE ok_tactic AND ok_category AND ok_tag AND ok_kind AND ok_official AND id NOT IN (SELECT id FROM cand)`
    : Prisma.empty;
  return Prisma.sql`
    cand AS MATERIALIZED (
      SELECT id, name, ns, r FROM m WHERE ok_tactic AND ok_category AND ok_tag AND ok_kind AND ok_official
      ORDER BY bound DESC, name, ns LIMIT ${RANKED_CANDIDATES}
    ),
    ranked AS (SELECT id, name, ns, 0 AS tier, ${rank} AS rank FROM cand ${rest}),
    page AS (${pageOf(Prisma.sql`ranked`, Prisma.sql`tier, rank DESC, name, ns`, page, pageSize)})`;
}

/**
 * The whole answer in one statement (facets unnest in the select list: a join with unnest() gets
 * planned as a memoized loop hashing every array, 5 times slower at 10,000 packages): the matching
 * packages (visibility and text) are computed once; each facet counts them under every filter but
 * its own; the page is ordered by rank with a text query (textPageSql), by name without, and its
 * cards (cards.ts) come in the same answer: a search is one round trip.
 */
function searchSql(viewer: Viewer | null, q: ParsedBrowseQuery, page: number, pageSize: number, keptGeneration: string | null): Prisma.Sql {
  // counted only when the kept counts are of another generation: a CASE branch not taken never
  // runs its subquery, so an unchanged catalog is not rescanned for the facets
  const counted = (expr: Prisma.Sql) =>
    Prisma.sql`CASE WHEN (SELECT "generation"::text FROM "CatalogGeneration" WHERE "id" = 1) IS DISTINCT FROM ${keptGeneration}::text THEN ${expr} END`;
  const text = q.q ? textSearch(q.q) : null;
  const tsq = text?.tsquery ? Prisma.sql`to_tsquery('simple', ${text.tsquery})` : null;
  // a UNION, not an OR: each branch gets its own index (the planner prices an OR as a scan of the
  // small heap and then reads every out-of-line document); `by_name`: what the name index found,
  // once, for the match and for the bound on the rank (textPageSql)
  const byName = text
    ? Prisma.sql`by_name AS MATERIALIZED (
        SELECT "packageId" FROM "PackageSearch" WHERE "name" ILIKE ${text.namePattern}
        UNION SELECT "packageId" FROM "PackageSearch" WHERE ${text.text} <% "name"),`
    : Prisma.empty;
  const match = text
    ? Prisma.sql`AND s."packageId" IN (
        ${tsq ? Prisma.sql`SELECT "packageId" FROM "PackageSearch" WHERE "document" @@ ${tsq} UNION ` : Prisma.empty}
        SELECT "packageId" FROM by_name)`
    : Prisma.empty;
  const r = tsq ? Prisma.sql`ts_rank_cd(s."document", ${tsq})` : Prisma.sql`0`;
  const bound = text
    ? Prisma.sql`${r} + CASE WHEN s."packageId" IN (SELECT "packageId" FROM by_name) THEN 1 ELSE ${FUZZY_NAME_THRESHOLD}::float8 END`
    : Prisma.sql`0`;
  const f = filterSql(q);
  // without a text query, and with counts kept (facets not counted unless the catalog changed in
  // between), the page alone reads the matches: inlined, it is one bounded sort over the joined
  // rows instead of a copy of every visible package first (page 100: 24 → 17 ms on the bench's
  // data); a text query's candidates are cheaper from the copy
  const inline = !text && keptGeneration !== null;
  const pageSql = text
    ? textPageSql(text, page, pageSize)
    : Prisma.sql`
    page AS (${pageOf(Prisma.sql`(SELECT id, name, ns FROM m WHERE ok_tactic AND ok_category AND ok_tag AND ok_kind AND ok_official)`, Prisma.sql`name, ns`, page, pageSize)})`;
  return Prisma.sql`
    WITH ${byName} m AS ${inline ? Prisma.sql`NOT MATERIALIZED` : Prisma.sql`MATERIALIZED`} (
      SELECT s."packageId" AS id, s."name", n."name" AS ns, s."attck", s."blackarch", s."tags", s."kinds",
             p."officialAt" IS NOT NULL AS official, ${r} AS r, ${bound} AS bound,
             ${f.tactic} AS ok_tactic, ${f.category} AS ok_category, ${f.tag} AS ok_tag, ${f.kind} AS ok_kind, ${f.official} AS ok_official
      FROM "PackageSearch" s
      JOIN "Package" p ON p."id" = s."packageId"
      JOIN "Namespace" n ON n."id" = p."namespaceId"
      WHERE p."latestVersionId" IS NOT NULL AND ${visibleSql(viewer)} ${match}
    ),
    ${pageSql}
    SELECT
      (SELECT "generation"::text FROM "CatalogGeneration" WHERE "id" = 1) AS generation,
      ${cardsJsonSql(Prisma.sql`page`, text?.tsquery ?? null)} AS items,
      ${counted(Prisma.sql`(SELECT count(*)::int FROM m WHERE ok_tactic AND ok_category AND ok_tag AND ok_kind AND ok_official)`)} AS total,
      ${counted(Prisma.sql`(SELECT coalesce(json_agg(json_build_array(k, c)), '[]')::text FROM (
         SELECT k, count(*)::int c FROM (SELECT unnest(m."attck") k FROM m WHERE ok_category AND ok_tag AND ok_kind AND ok_official) u GROUP BY k) x)`)} AS tactic,
      ${counted(Prisma.sql`(SELECT coalesce(json_agg(json_build_array(k, c)), '[]')::text FROM (
         SELECT k, count(*)::int c FROM (SELECT unnest(m."blackarch") k FROM m WHERE ok_tactic AND ok_tag AND ok_kind AND ok_official) u GROUP BY k) x)`)} AS category,
      ${counted(Prisma.sql`(SELECT coalesce(json_agg(json_build_array(k, c)), '[]')::text FROM (
         SELECT k, count(*)::int c FROM (SELECT unnest(m."tags") k FROM m WHERE ok_tactic AND ok_category AND ok_kind AND ok_official) u GROUP BY k
         ORDER BY k = ${q.tag ?? null}::text DESC NULLS LAST, c DESC, k LIMIT ${TAG_FACET_LIMIT}) x)`)} AS tag,
      ${counted(Prisma.sql`(SELECT coalesce(json_agg(json_build_array(k, c)), '[]')::text FROM (
         SELECT k, count(*)::int c FROM (SELECT unnest(m."kinds") k FROM m WHERE ok_tactic AND ok_category AND ok_tag AND ok_official) u GROUP BY k) x)`)} AS kind,
      ${counted(Prisma.sql`(SELECT count(*)::int FROM m WHERE official AND ok_tactic AND ok_category AND ok_tag AND ok_kind)`)} AS official`;
}

function facet(pairs: Pair[], label: (k: string) => string): FacetCount[] {
  return pairs.map(([key, count]) => ({ key, label: label(key), count })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

/**
 * Browse and search, done by PostgreSQL: full text over names, descriptions, docstrings and tags
 * (every word as a prefix), fuzzy and substring matches on the package name (pg_trgm), facets by
 * tactic, category, tag, kind and the official mark counted under the query and the other
 * filters, ranked with a text query and by name without, one page loaded.
 */
export async function browse(viewer: Viewer | null, raw: BrowseQuery): Promise<BrowseResult> {
  const parsed = browseQuerySchema.safeParse(raw);
  if (!parsed.success) throw validation("invalid search");
  const q = parsed.data;
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? 20;
  const text = q.q ? textSearch(q.q).text : "";
  const key = JSON.stringify([viewerVisibilityKey(viewer), text, q.tactic, q.category, q.tag, q.kind, q.official]);
  const kept = facetCache.get(key);
  // the catalog pool's connections carry the fuzzy threshold, work_mem and the statement timeout
  const [row] = await catalogQuery<SearchRow>(searchSql(viewer, q, page, pageSize, kept?.generation ?? null));
  let counts = countsOf(row);
  if (counts) facetCache.set(key, row.generation, counts);
  else if (kept && kept.generation === row.generation) counts = kept.counted;
  else throw new Error("the catalog search came back without counts and none were kept for its generation");
  return {
    items: parseCards(row.items),
    total: counts.total,
    page,
    pageSize,
    facets: {
      tactic: facet(counts.tactic, (k) => categoryLabel("attck", k)),
      category: facet(counts.category, (k) => categoryLabel("blackarch", k)),
      tag: facet(counts.tag, (k) => k),
      kind: facet(counts.kind, (k) => (k === "tool" ? "Tool" : "Workflow")),
      // one option, shown with 0 too: the filter exists before any package is marked
      official: [{ key: "true", label: "Official", count: counts.official }],
    },
  };
}
