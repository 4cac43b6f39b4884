import "server-only";
import pg from "pg";
import { databaseUrl } from "../platform/config.ts";
import { validation } from "../errors.ts";

/** A results query that runs longer is cancelled by PostgreSQL (exports stream without it). */
export const QUERY_TIMEOUT_MS = 20_000;

const g = globalThis as typeof globalThis & { __levhubResultsPool?: pg.Pool };

/**
 * The results index's own pool: raw parameterised SQL (jsonpath conditions, keyset pages, cursors
 * for streamed exports) that Prisma's query builder cannot express. Idle connections do not keep
 * the process alive, and a connection the server drops is logged, not fatal.
 */
export function resultsPool(): pg.Pool {
  if (!g.__levhubResultsPool) {
    const pool = new pg.Pool({ connectionString: databaseUrl(), max: 8, idleTimeoutMillis: 10_000, allowExitOnIdle: true, statement_timeout: QUERY_TIMEOUT_MS });
    pool.on("error", (err) => console.error("[levhub] results index connection lost:", err.message));
    g.__levhubResultsPool = pool;
  }
  return g.__levhubResultsPool;
}

export async function closeResultsPool(): Promise<void> {
  const pool = g.__levhubResultsPool;
  g.__levhubResultsPool = undefined;
  await pool?.end();
}

/** PostgreSQL's refusals a user caused become 422s saying what to change; anything else stays internal. */
export function userQueryError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === "57014") return validation(`the query took longer than ${QUERY_TIMEOUT_MS / 1000} s and was stopped; narrow it (a collection, a run, an equality on a field)`, { q: "too slow" });
  if (code === "2201B") return validation("field query: the $regex pattern is not a valid regular expression", { q: "invalid regular expression" });
  return err;
}

/** Runs a results query; what the user got wrong comes back as a validation error. */
export async function resultsQuery<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
  try {
    return (await resultsPool().query<R>(sql, params)).rows;
  } catch (err) {
    throw userQueryError(err);
  }
}
