/**
 * How long a query shaped by a user's input (a results filter or field query, a catalog search)
 * may run before PostgreSQL cancels it (SQLSTATE 57014, answered as a 422 saying to narrow it). The
 * results pools set it per connection; the catalog search per transaction (`set_config(…, true)`).
 */
export const USER_QUERY_TIMEOUT_MS = 20_000;

/**
 * The SQLSTATE of a failed query: pg's `code`, or the one Prisma keeps from its driver adapter
 * (`meta.driverAdapterError.cause.originalCode`); null when the error carries none.
 */
export function sqlState(err: unknown): string | null {
  const e = err as { code?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } } | null;
  const original = e?.meta?.driverAdapterError?.cause?.originalCode;
  if (typeof original === "string") return original;
  return typeof e?.code === "string" && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : null;
}

/** Whether PostgreSQL cancelled the query for running past its statement timeout. */
export const isStatementTimeout = (err: unknown): boolean => sqlState(err) === "57014";
