import "server-only";
import pg from "pg";
import { databaseUrl } from "../platform/config.ts";
import { isStatementTimeout, sqlState, USER_QUERY_TIMEOUT_MS } from "../platform/query-timeout.ts";
import { validation } from "../errors.ts";

/** A results query that runs longer is cancelled by PostgreSQL. */
export const QUERY_TIMEOUT_MS = USER_QUERY_TIMEOUT_MS;

/**
 * Exports stream from a pool of their own, so that however many exports are open (or stalled by a
 * client that stopped reading), the interactive results queries keep their connections. Each FETCH
 * is a statement under the same timeout as an interactive query; a connection left idle inside its
 * transaction longer than EXPORT_LIMITS.idleMs (+ a margin) is ended by PostgreSQL itself, should
 * the hub's own idle timer (lib/results/cursor-export.ts) not have closed it first.
 */
export const EXPORT_LIMITS = {
  /** connections of the export pool: exports streaming at once in the whole hub */
  connections: 4,
  /** exports one user may stream at once (429 past it) */
  perUser: 2,
  /** an export whose client has read nothing for this long is closed (cursor, transaction, response) */
  idleMs: 30_000,
  /** how long an export waits for a free connection before 429 */
  waitMs: 5_000,
};

const g = globalThis as typeof globalThis & { __levhubResultsPool?: pg.Pool; __levhubExportPool?: pg.Pool };

function newPool(max: number, extra: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl(), max, idleTimeoutMillis: 10_000, allowExitOnIdle: true, statement_timeout: QUERY_TIMEOUT_MS, ...extra });
  pool.on("error", (err) => console.error("[levhub] results index connection lost:", err.message));
  return pool;
}

/**
 * The results index's own pool: raw parameterised SQL (jsonpath conditions, keyset pages) that
 * Prisma's query builder cannot express. Idle connections do not keep the process alive, and a
 * connection the server drops is logged, not fatal.
 */
export function resultsPool(): pg.Pool {
  return (g.__levhubResultsPool ??= newPool(8));
}

/** The pool exports stream their cursors from (see EXPORT_LIMITS). */
export function exportPool(): pg.Pool {
  return (g.__levhubExportPool ??= newPool(EXPORT_LIMITS.connections, {
    connectionTimeoutMillis: EXPORT_LIMITS.waitMs,
    idle_in_transaction_session_timeout: EXPORT_LIMITS.idleMs + 10_000,
  }));
}

export async function closeResultsPool(): Promise<void> {
  const pools = [g.__levhubResultsPool, g.__levhubExportPool];
  g.__levhubResultsPool = undefined;
  g.__levhubExportPool = undefined;
  await Promise.all(pools.map((p) => p?.end()));
}

/** PostgreSQL's refusals a user caused become 422s saying what to change; anything else stays internal. */
export function userQueryError(err: unknown): unknown {
  if (isStatementTimeout(err)) return validation(`the query took longer than ${QUERY_TIMEOUT_MS / 1000} s and was stopped; narrow it (a collection, a run, an equality on a field)`, { q: "too slow" });
  if (sqlState(err) === "2201B") return validation("field query: the $regex pattern is not a valid regular expression", { q: "invalid regular expression" });
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
