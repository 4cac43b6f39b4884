import "server-only";
import type pg from "pg";
import { ExportSlots } from "./export-slots.ts";
import { EXPORT_LIMITS, exportPool, userQueryError } from "./pg.ts";

/**
 * A query's rows as a byte stream, read through a PostgreSQL cursor `batch` rows at a time as the
 * client reads: never the whole result in memory. Every export of the hub (results, the audit
 * trail) streams through here, on the export pool and under its per-user and hub-wide limits (429
 * past them): the query is run (and a bad one refused) before the response starts; a FETCH runs
 * under the interactive statement timeout; a client that reads nothing for EXPORT_LIMITS.idleMs
 * gets its response ended and the cursor, transaction and connection back.
 */

/** Exports streaming at once, per user and in the whole hub (shared by every kind of export). */
export const exportSlots = new ExportSlots(() => EXPORT_LIMITS);

/** Characters per enqueued piece (see `emit`). */
const CHUNK_CHARS = 16 * 1024;

export interface CursorExport<R> {
  userId: string;
  /** the SELECT to stream, with its $n parameters */
  sql: string;
  params: unknown[];
  batch: number;
  /** text before the rows, given the first batch (a CSV header may depend on it) */
  head: (first: R[]) => string;
  /** one row's text; `index` counts rows from 0 */
  row: (r: R, index: number) => string;
  tail: string;
}

export async function cursorExport<R extends pg.QueryResultRow>(x: CursorExport<R>): Promise<{ stream: ReadableStream<Uint8Array>; first: R[] }> {
  const freeSlot = exportSlots.take(x.userId);
  let client: pg.PoolClient;
  try {
    client = await exportPool().connect();
  } catch (err) {
    freeSlot();
    throw err;
  }
  // PostgreSQL may end a connection left idle in its transaction (the pool's backstop): an error
  // on a checked-out client with no listener would take the process down
  const lost = (err: Error) => console.error("[levhub] an export's connection was lost:", err.message);
  client.on("error", lost);
  let idle: NodeJS.Timeout | undefined;
  let released = false;
  const release = async (err?: Error) => {
    if (released) return;
    released = true;
    clearTimeout(idle);
    await client.query(err ? "ROLLBACK" : "COMMIT").catch(() => undefined);
    client.off("error", lost);
    client.release(err);
    freeSlot();
  };
  const fetch = async (): Promise<R[]> => (await client.query<R>(`FETCH ${x.batch} FROM levhub_export`)).rows;
  let first: R[];
  try {
    await client.query("BEGIN READ ONLY");
    await client.query(`DECLARE levhub_export NO SCROLL CURSOR FOR ${x.sql}`, x.params);
    first = await fetch();
  } catch (err) {
    await release(err as Error);
    throw userQueryError(err);
  }

  const encoder = new TextEncoder();
  let pending: R[] | null = first;
  let count = 0;
  /**
   * Rows as text, enqueued in pieces of about CHUNK_CHARS rather than one large piece per
   * fetched batch, so the socket gets data early and no piece is larger than it needs to be.
   */
  const emit = (rows: R[], controller: ReadableStreamDefaultController<Uint8Array>) => {
    let out = "";
    for (const r of rows) {
      out += x.row(r, count++);
      if (out.length >= CHUNK_CHARS) {
        controller.enqueue(encoder.encode(out));
        out = "";
      }
    }
    if (out) controller.enqueue(encoder.encode(out));
  };

  /** (re)starts the wait for the client's next read: past it the export ends, its connection back */
  const armIdle = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      const stalled = new Error(`the client read nothing for ${EXPORT_LIMITS.idleMs / 1000} s`);
      void release(stalled);
      controller.error(stalled);
    }, EXPORT_LIMITS.idleMs);
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const head = x.head(first);
        if (head) controller.enqueue(encoder.encode(head));
        armIdle(controller);
      },
      async pull(controller) {
        clearTimeout(idle);
        try {
          const rows = pending ?? (await fetch());
          pending = null;
          emit(rows, controller);
          if (rows.length < x.batch) {
            if (x.tail) controller.enqueue(encoder.encode(x.tail));
            await release();
            controller.close();
          } else armIdle(controller);
        } catch (err) {
          await release(err as Error);
          controller.error(err);
        }
      },
      async cancel() {
        await release();
      },
    },
    { highWaterMark: 1 },
  );
  return { stream, first };
}
