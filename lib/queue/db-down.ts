import { AppError } from "../errors.ts";

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "57P01", "57P02", "57P03", "08000", "08003", "08006", "P1001", "P1002", "P1017", "P2024"]);
const CONNECTION_TEXT = /ECONNREFUSED|ECONNRESET|Connection terminated|terminating connection|connection (is )?closed|Can't reach database|server (has )?closed the connection|the database system is (starting up|shutting down)|DatabaseNotReachable|ConnectionClosed/i;

/** What an error says it came from: its `cause`, and the driver's own error a Prisma error carries in `meta` (a raw query's P2010). */
function sources(e: object): unknown[] {
  const { cause, meta } = e as { cause?: unknown; meta?: { driverAdapterError?: unknown } };
  return [cause, meta && typeof meta === "object" ? meta.driverAdapterError : undefined].filter((x) => x && typeof x === "object");
}

/** Whether an error says PostgreSQL could not be reached or dropped the connection (not a failed query). Pure. */
export function isDatabaseDown(err: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length && seen.size < 10) {
    const e = queue.shift();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    queue.push(...sources(e));
    const { code, name, message, syscall } = e as { code?: unknown; name?: unknown; message?: unknown; syscall?: unknown };
    if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
    // the server's unix socket is gone (it stopped): pg's connect found no file, or Prisma passes on that
    // code for a query; a missing file anywhere else (no syscall connect, not a query) is no outage
    if (code === "ENOENT" && (syscall === "connect" || name === "PrismaClientKnownRequestError")) return true;
    if (name === "PrismaClientInitializationError") return true;
    if (typeof message === "string" && CONNECTION_TEXT.test(message)) return true;
  }
  return false;
}

/** `unavailable` for a database that is down, the error itself otherwise. */
export function unavailableIfDown(err: unknown, what: string): unknown {
  if (err instanceof AppError || !isDatabaseDown(err)) return err;
  console.error(`[levhub] database unreachable (${what}):`, err instanceof Error ? err.message : err);
  return new AppError("unavailable", `the database does not answer, so ${what}; try again in a moment`, { cause: err });
}
