import "server-only";
import { ATTCK_TACTICS, BLACKARCH_CATEGORIES } from "../packages/categories.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { ExportSummary, PackageSummary } from "../types.ts";
import { userSeesSql } from "./visibility.ts";

/**
 * Package cards in SQL: a page of cards is a part of the statement that found the page (search.ts,
 * summaries.ts), not more round trips. Each card comes from the search row (no manifest is read),
 * with its favourite count (of the users who may see the package now) and, under a full-text
 * query, the functions it matched (each one alone, all its words, against the function's stored
 * document: no tsvector is built per request).
 */

/** One card as the statement returns it (JSON: timestamps in epoch milliseconds). */
interface CardJson {
  id: string;
  ns: string;
  name: string;
  version: string;
  desc: string;
  tags: string[];
  attck: string[];
  blackarch: string[];
  kinds: string[];
  functions: number;
  private: boolean;
  updatedAt: number;
  officialAt: number | null;
  officialBy: string | null;
  favourites: number;
  matches: ExportSummary[];
}

const epochMs = (col: Prisma.Sql) => Prisma.sql`floor(extract(epoch FROM ${col}) * 1000)::bigint`;

/**
 * A JSON array (as text) of the cards of `pageRel`, a relation of (`id` package id, `ord` its
 * place), in `ord` order. `tsquery` is a `to_tsquery('simple', …)` argument or null.
 */
export function cardsJsonSql(pageRel: Prisma.Sql, tsquery: string | null): Prisma.Sql {
  const matches = tsquery
    ? Prisma.sql`(SELECT coalesce(json_agg(json_build_object('qualified', e."qualified", 'name', e."name", 'kind', e."kind"::text, 'tool', e."tool",
          'desc', e."desc", 'tags', e."tags", 'attck', e."attck", 'blackarch', e."blackarch") ORDER BY e."qualified"), '[]')
        FROM "Export" e
        WHERE e."versionId" = s."versionId" AND e."document" @@ to_tsquery('simple', ${tsquery}))`
    : Prisma.sql`'[]'::json`;
  // a public package's count reads the (packageId, function) index alone; only a private one joins the users
  const favourites = Prisma.sql`(CASE WHEN NOT p."private"
      THEN (SELECT count(*) FROM "Favourite" f WHERE f."packageId" = p."id" AND f."function" = '')
      ELSE (SELECT count(*) FROM "Favourite" f JOIN "User" u ON u."id" = f."userId"
            WHERE f."packageId" = p."id" AND f."function" = '' AND ${userSeesSql()})
    END)::int`;
  return Prisma.sql`(SELECT coalesce(json_agg(json_build_object(
      'id', s."packageId", 'ns', n."name", 'name', p."name", 'version', v."version", 'desc', s."desc",
      'tags', s."tags", 'attck', s."attck", 'blackarch', s."blackarch", 'kinds', s."kinds", 'functions', s."functions",
      'private', p."private", 'updatedAt', ${epochMs(Prisma.sql`p."updatedAt"`)},
      'officialAt', CASE WHEN p."officialAt" IS NULL THEN NULL ELSE ${epochMs(Prisma.sql`p."officialAt"`)} END, 'officialBy', ou."username",
      'favourites', ${favourites}, 'matches', ${matches}) ORDER BY pg."ord"), '[]')::text
    FROM ${pageRel} pg
    JOIN "PackageSearch" s ON s."packageId" = pg."id"
    JOIN "Package" p ON p."id" = s."packageId"
    JOIN "Namespace" n ON n."id" = p."namespaceId"
    JOIN "PackageVersion" v ON v."id" = s."versionId"
    LEFT JOIN "User" ou ON ou."id" = p."officialById")`;
}

const canonical = (order: readonly { key: string }[], keys: string[]) => order.map((c) => c.key).filter((k) => keys.includes(k));

/** The cards of a `cardsJsonSql` answer. */
export function parseCards(json: string): PackageSummary[] {
  return (JSON.parse(json) as CardJson[]).map((c) => ({
    id: c.id,
    namespace: c.ns,
    name: c.name,
    fullName: `${c.ns}.${c.name}`,
    version: c.version,
    desc: c.desc,
    tags: c.tags,
    attck: canonical(ATTCK_TACTICS, c.attck),
    blackarch: canonical(BLACKARCH_CATEGORIES, c.blackarch),
    kinds: (["tool", "workflow"] as const).filter((k) => c.kinds.includes(k)),
    functions: c.functions,
    private: c.private,
    updatedAt: new Date(Number(c.updatedAt)).toISOString(),
    matches: c.matches,
    official: c.officialAt === null ? null : { at: new Date(Number(c.officialAt)).toISOString(), by: c.officialBy },
    favourites: c.favourites,
  }));
}
