import "server-only";
import type pg from "pg";
import { ExportSlots } from "./export-slots.ts";
import { EXPORT_LIMITS, exportPool, userQueryError } from "./pg.ts";
import { fetchRows } from "./fetch-rows.ts";
import { ChunkWriter, EXPORT_CHUNK_BYTES, EXPORT_FETCH_BYTES, HEAD_FETCH_BYTES, nextFetchRows } from "./export-chunks.ts";

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

export interface CursorExport<R> {
  userId: string;
  /** the SELECT to stream, with its $n parameters */
  sql: string;
  params: unknown[];
  /** the most rows one FETCH brings */
  batch: number;
  /** rows `head` wants to see (default 1): fetched before the response starts, within HEAD_FETCH_BYTES */
  headRows?: number;
  /** about how many bytes a row holds in memory (default: the length of its text) */
  rowBytes?: (r: R) => number;
  /** text before the rows, given the first rows (a CSV header may depend on them) */
  head: (first: R[]) => string;
  /**
   * one row's text, or its parts in order (a large document passed as its own part is written as
   * it is, never copied into one string with the rest of its row); `index` counts rows from 0
   */
  row: (r: R, index: number) => string | string[];
  tail: string;
}

export async function cursorExport<R extends pg.QueryResultRow>(x: CursorExport<R>): Promise<{ stream: ReadableStream<Uint8Array> }> {
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
  const textLength = (t: string | string[]) => (typeof t === "string" ? t.length : t.reduce((n, part) => n + part.length, 0));
  const sizeOf = x.rowBytes ?? ((r: R) => textLength(x.row(r, 0)));
  let bytesPerRow = 0;
  let done = false;
  /** the next rows, about `budget` bytes of them; the bytes per row follow what came */
  const fetch = async (budget = EXPORT_FETCH_BYTES): Promise<R[]> => {
    const n = nextFetchRows(bytesPerRow, budget, x.batch);
    const rows = await fetchRows<R>(client, `FETCH ${n} FROM levhub_export`);
    if (rows.length < n) done = true;
    if (rows.length) {
      let bytes = 0;
      for (const r of rows) bytes += sizeOf(r);
      // the larger of the last batch's mean and the running one: one big row shrinks the next FETCH at once
      bytesPerRow = Math.max(bytes / rows.length, bytesPerRow * 0.5);
    }
    return rows;
  };
  const first: R[] = [];
  try {
    await client.query("BEGIN READ ONLY");
    await client.query(`DECLARE levhub_export NO SCROLL CURSOR FOR ${x.sql}`, x.params);
    const want = Math.max(1, x.headRows ?? 1);
    let held = 0;
    do {
      const rows = await fetch(Math.min(EXPORT_FETCH_BYTES, HEAD_FETCH_BYTES - held));
      for (const r of rows) first.push(r);
      held = first.length * bytesPerRow;
    } while (!done && first.length < want && held < HEAD_FETCH_BYTES);
  } catch (err) {
    await release(err as Error);
    throw userQueryError(err);
  }

  let pending: R[] = first;
  let count = 0;

  /** (re)starts the wait for the client's next read: past it the export ends, its connection back */
  const armIdle = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      const stalled = new Error(`the client read nothing for ${EXPORT_LIMITS.idleMs / 1000} s`);
      void release(stalled);
      controller.error(stalled);
    }, EXPORT_LIMITS.idleMs);
  };
  let writer: ChunkWriter;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        writer = new ChunkWriter((chunk) => controller.enqueue(chunk));
        const head = x.head(pending);
        if (head) writer.write(head);
        armIdle(controller);
      },
      /**
       * Called only while less than EXPORT_CHUNK_BYTES wait in the queue (a client that does not
       * read stops the FETCHes). A FETCH's rows (about EXPORT_FETCH_BYTES) go into Buffers at
       * once and are dropped: a row kept across pulls would outlive V8's young generation and be
       * promoted, and promoted garbage is what grew the server's heap by ~180 MB over a 1M export.
       */
      async pull(controller) {
        clearTimeout(idle);
        try {
          let rows = pending;
          pending = [];
          if (!rows.length && !done) rows = await fetch();
          for (let i = 0; i < rows.length; i++) {
            const text = x.row(rows[i], count++);
            if (typeof text === "string") writer.write(text);
            else for (const part of text) writer.write(part);
          }
          rows = [];
          if (done) {
            if (x.tail) writer.write(x.tail);
            writer.flush();
            await release();
            controller.close();
            return;
          }
          writer.flush();
          armIdle(controller);
        } catch (err) {
          await release(err as Error);
          controller.error(err);
        }
      },
      async cancel() {
        await release();
      },
    },
    { highWaterMark: EXPORT_CHUNK_BYTES, size: (chunk) => chunk.byteLength },
  );
  return { stream };
}
