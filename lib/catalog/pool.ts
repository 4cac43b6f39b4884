import "server-only";
import pg from "pg";
import type { Prisma } from "../generated/prisma/client.ts";
import { databaseUrl } from "../platform/config.ts";
import { isStatementTimeout, USER_QUERY_TIMEOUT_MS } from "../platform/query-timeout.ts";
import { validation } from "../errors.ts";
import { FUZZY_NAME_THRESHOLD } from "./query.ts";

/**
 * The catalog's own pool: every connection starts with what a search needs (pg_trgm's fuzzy
 * threshold for the `<%` operator its index answers, room for the facets to count the matched rows
 * in memory, the time a query shaped by the user's text may take, a random page priced nearer
 * what it costs for a catalog held in memory: with the default 4, a word in a third of the catalog
 * was looked for by reading every search row instead of through the document's index, twice as
 * slow; at 1.1 those thousands of matches were then fetched one index probe each instead of in one
 * pass over the rows), so a search is one statement and one round trip, with no transaction around
 * it to set them.
 */
export const CATALOG_POOL_CONNECTIONS = 4;

const g = globalThis as typeof globalThis & { __levhubCatalogPool?: pg.Pool };

function catalogPool(): pg.Pool {
  if (!g.__levhubCatalogPool) {
    const pool = new pg.Pool({
      connectionString: databaseUrl(),
      max: CATALOG_POOL_CONNECTIONS,
      idleTimeoutMillis: 30_000,
      allowExitOnIdle: true,
      statement_timeout: USER_QUERY_TIMEOUT_MS,
      options: `-c pg_trgm.word_similarity_threshold=${FUZZY_NAME_THRESHOLD} -c work_mem=16MB -c random_page_cost=2`,
    });
    pool.on("error", (err) => console.error("[levhub] catalog connection lost:", err.message));
    g.__levhubCatalogPool = pool;
  }
  return g.__levhubCatalogPool;
}

/** Runs one catalog statement; a search that runs past the timeout is a 422 saying what to change. */
export async function catalogQuery<R extends pg.QueryResultRow>(query: Prisma.Sql): Promise<R[]> {
  try {
    return (await catalogPool().query<R>(query.text, query.values as unknown[])).rows;
  } catch (err) {
    if (isStatementTimeout(err)) throw validation(`the search took longer than ${USER_QUERY_TIMEOUT_MS / 1000} s and was stopped; use fewer or longer words`, { q: "too slow" });
    throw err;
  }
}

export async function closeCatalogPool(): Promise<void> {
  const pool = g.__levhubCatalogPool;
  g.__levhubCatalogPool = undefined;
  await pool?.end();
}
