import "server-only";
import type { ExportFormat, ResultFilter } from "../schemas/results.ts";
import type { Viewer } from "../types.ts";
import { viewerScope } from "./viewer-scope.ts";
import { inferFields } from "./columns.ts";
import { csvRow, fieldValue } from "./csv.ts";
import { flatColumns, flattenRows, flatValue, MAX_ROWS_PER_DOCUMENT, parseFlatten } from "./flatten.ts";
import { cursorExport } from "./cursor-export.ts";
import { whereSql } from "./where.ts";

/** The most rows one FETCH brings (fewer when they are large: cursor-export.ts sizes each FETCH in bytes). */
export const EXPORT_BATCH = 500;
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

/**
 * One exported record, where the document was stored and the document, in three parts: the
 * document's text goes out as it came, not copied into one string with the rest.
 */
function recordJson(r: ExportRow, before: string, after: string): string[] {
  return [`${before}{"coll":${JSON.stringify(r.coll)},"run":${JSON.stringify(r.runId)},"job":${r.job},"task":${r.task},"storedAt":${JSON.stringify(r.storedAt.toISOString())},"doc":`, r.doc, `}${after}`];
}

const META_COLUMNS = ["coll", "job", "task"];

/**
 * The documents matching the filter as a byte stream in id order, through the one cursor export
 * (cursor-export.ts: the export pool, the per-user and hub-wide limits shared with every other
 * export, the statement and idle timeouts). The query is checked (and a bad field query refused)
 * before the response starts.
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
  // a CSV's columns come from the first batch, before its header goes out
  let columns: string[] = [];
  const row = (r: ExportRow, index: number): string | string[] => {
    if (format === "ndjson") return recordJson(r, "", "\n");
    if (format === "json") return recordJson(r, index === 0 ? "" : ",\n", "");
    const doc = JSON.parse(r.doc) as unknown;
    if (!lists) return csvRow([r.coll, r.job, r.task, ...columns.map((c) => fieldValue(doc, c))]);
    const { rows, truncated } = flattenRows(doc, lists);
    let out = "";
    for (const one of rows) out += csvRow([r.coll, r.job, r.task, ...columns.map((c) => flatValue(doc, lists, one, c))]);
    if (truncated) out += csvRow([r.coll, r.job, r.task, `[rows past ${MAX_ROWS_PER_DOCUMENT} of this document left out]`]);
    return out;
  };
  const { stream } = await cursorExport<ExportRow>({
    userId: viewer.id,
    sql: `SELECT d."coll", d."runId", d."job", d."task", d."storedAt", d."doc"::text AS "doc" FROM "ResultDocument" d WHERE ${where.sql} ORDER BY d."id"`,
    params: where.params,
    batch: EXPORT_BATCH,
    headRows: format === "csv" && !fields?.length ? CSV_SAMPLE : 1,
    rowBytes: (r) => r.doc.length + r.coll.length + r.runId.length + 64,
    head: (first) => {
      if (format === "json") return "[\n";
      if (format !== "csv") return "";
      const sample = first.slice(0, CSV_SAMPLE).map((r) => JSON.parse(r.doc) as unknown);
      columns = fields?.length ? fields : lists ? flatColumns(sample, lists) : inferFields(sample);
      return csvRow([...META_COLUMNS, ...columns]);
    },
    row,
    tail: format === "json" ? "\n]\n" : "",
  });
  return { stream, contentType: CONTENT_TYPE[format] };
}
