import "server-only";
import type pg from "pg";
import type { ExportFormat, ResultFilter } from "../schemas/results.ts";
import type { Viewer } from "../types.ts";
import { viewerScope } from "./viewer-scope.ts";
import { inferFields } from "./columns.ts";
import { csvRow, fieldValue } from "./csv.ts";
import { flatColumns, flattenRows, flatValue, MAX_ROWS_PER_DOCUMENT, parseFlatten } from "./flatten.ts";
import { ExportSlots } from "./export-slots.ts";
import { EXPORT_LIMITS, exportPool, userQueryError } from "./pg.ts";
import { whereSql } from "./where.ts";

/** Rows fetched from the cursor per pull: the most an export holds in memory at once. */
export const EXPORT_BATCH = 500;
/** Characters per enqueued piece (see `emit`). */
const CHUNK_CHARS = 16 * 1024;
/** Without picked fields, a CSV's columns are inferred from this many first documents. */
const CSV_SAMPLE = 200;

const CONTENT_TYPE: Record<ExportFormat, string> = {
  json: "application/json; charset=utf-8",
  ndjson: "application/x-ndjson; charset=utf-8",
  csv: "text/csv; charset=utf-8",
};

interface ExportRow {
  coll: string;
  runId: string;
  job: number;
  task: number;
  storedAt: Date;
  /** the document's JSON text as the index holds it (not parsed for JSON and NDJSON) */
  doc: string;
}

/** One exported record: where the document was stored and the document. */
function recordJson(r: ExportRow): string {
  return `{"coll":${JSON.stringify(r.coll)},"run":${JSON.stringify(r.runId)},"job":${r.job},"task":${r.task},"storedAt":${JSON.stringify(r.storedAt.toISOString())},"doc":${r.doc}}`;
}

const META_COLUMNS = ["coll", "job", "task"];

const slots = new ExportSlots(() => EXPORT_LIMITS);

/**
 * The documents matching the filter as a byte stream in id order, read through a PostgreSQL
 * cursor EXPORT_BATCH rows at a time as the client reads: never the whole result in memory.
 * The query is checked (and a bad field query refused) before the response starts. Exports use
 * their own pool under per-user and hub-wide limits (429 past them); a FETCH runs under the
 * interactive statement timeout; a client that reads nothing for EXPORT_LIMITS.idleMs gets its
 * response ended and the cursor, transaction and connection back.
 */
export async function exportDocuments(
  viewer: Viewer,
  filter: ResultFilter,
  format: ExportFormat,
  fields?: string[],
  flatten?: string,
): Promise<{ stream: ReadableStream<Uint8Array>; contentType: string }> {
  const lists = flatten !== undefined ? parseFlatten(flatten) : null;
  const where = whereSql(await viewerScope(viewer), filter);
  const freeSlot = slots.take(viewer.id);
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
  const fetch = async (): Promise<ExportRow[]> => (await client.query<ExportRow>(`FETCH ${EXPORT_BATCH} FROM levhub_export`)).rows;
  let first: ExportRow[];
  try {
    await client.query("BEGIN READ ONLY");
    await client.query(
      `DECLARE levhub_export NO SCROLL CURSOR FOR
       SELECT d."coll", d."runId", d."job", d."task", d."storedAt", d."doc"::text AS "doc" FROM "ResultDocument" d WHERE ${where.sql} ORDER BY d."id"`,
      where.params,
    );
    first = await fetch();
  } catch (err) {
    await release(err as Error);
    throw userQueryError(err);
  }

  const sample = () => first.slice(0, CSV_SAMPLE).map((r) => JSON.parse(r.doc) as unknown);
  const columns = format === "csv" ? (fields?.length ? fields : lists ? flatColumns(sample(), lists) : inferFields(sample())) : [];
  const encoder = new TextEncoder();
  let pending: ExportRow[] | null = first;
  let count = 0;
  /**
   * Rows as text, enqueued in pieces of about CHUNK_CHARS rather than one ~175 KB piece per
   * fetched batch, so the socket gets data early and no piece is larger than it needs to be.
   */
  const emit = (rows: ExportRow[], controller: ReadableStreamDefaultController<Uint8Array>) => {
    let out = "";
    for (const r of rows) {
      if (format === "ndjson") out += `${recordJson(r)}\n`;
      else if (format === "json") out += `${count === 0 ? "" : ",\n"}${recordJson(r)}`;
      else if (lists) {
        const doc = JSON.parse(r.doc) as unknown;
        const { rows, truncated } = flattenRows(doc, lists);
        for (const row of rows) out += csvRow([r.coll, r.job, r.task, ...columns.map((c) => flatValue(doc, lists, row, c))]);
        if (truncated) out += csvRow([r.coll, r.job, r.task, `[rows past ${MAX_ROWS_PER_DOCUMENT} of this document left out]`]);
      } else {
        const doc = JSON.parse(r.doc) as unknown;
        out += csvRow([r.coll, r.job, r.task, ...columns.map((c) => fieldValue(doc, c))]);
      }
      count++;
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
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (format === "json") controller.enqueue(encoder.encode("[\n"));
      if (format === "csv") controller.enqueue(encoder.encode(csvRow([...META_COLUMNS, ...columns])));
      armIdle(controller);
    },
    async pull(controller) {
      clearTimeout(idle);
      try {
        const rows = pending ?? (await fetch());
        pending = null;
        emit(rows, controller);
        if (rows.length < EXPORT_BATCH) {
          if (format === "json") controller.enqueue(encoder.encode("\n]\n"));
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
  }, { highWaterMark: 1 });
  return { stream, contentType: CONTENT_TYPE[format] };
}
