import "server-only";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { ExportFormat, ResultFilter } from "../schemas/results.ts";
import type { Viewer } from "../types.ts";
import { viewerScope } from "./viewer-scope.ts";
import { inferFields } from "./columns.ts";
import { csvRow, fieldValue } from "./csv.ts";
import { cursorExport } from "./cursor-export.ts";
import { whereSql } from "./where.ts";

/** Rows fetched from the cursor per pull: the most an export holds in memory at once. */
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

/** One exported record: where the document was stored and the document. */
function recordJson(r: ExportRow): string {
  return `{"coll":${JSON.stringify(r.coll)},"run":${JSON.stringify(r.runId)},"job":${r.job},"task":${r.task},"storedAt":${JSON.stringify(r.storedAt.toISOString())},"doc":${r.doc}}`;
}

const META_COLUMNS = ["coll", "job", "task"];

/**
 * The documents matching the filter as a byte stream in id order, read through a PostgreSQL
 * cursor EXPORT_BATCH rows at a time as the client reads (lib/results/cursor-export.ts: the
 * export pool, its limits, its idle timeout). The query is checked (and a bad field query refused)
 * before the response starts; an export under way is audited (`results.export`).
 */
export async function exportDocuments(
  viewer: Viewer,
  filter: ResultFilter,
  format: ExportFormat,
  fields?: string[],
): Promise<{ stream: ReadableStream<Uint8Array>; contentType: string }> {
  const where = whereSql(await viewerScope(viewer), filter);
  let columns: string[] = [];
  const { stream } = await cursorExport<ExportRow>({
    userId: viewer.id,
    sql: `SELECT d."coll", d."runId", d."job", d."task", d."storedAt", d."doc"::text AS "doc" FROM "ResultDocument" d WHERE ${where.sql} ORDER BY d."id"`,
    params: where.params,
    batch: EXPORT_BATCH,
    head: (first) => {
      if (format === "json") return "[\n";
      if (format !== "csv") return "";
      columns = fields?.length ? fields : inferFields(first.slice(0, CSV_SAMPLE).map((r) => JSON.parse(r.doc)));
      return csvRow([...META_COLUMNS, ...columns]);
    },
    row: (r, i) => {
      if (format === "ndjson") return `${recordJson(r)}\n`;
      if (format === "json") return `${i === 0 ? "" : ",\n"}${recordJson(r)}`;
      const doc = JSON.parse(r.doc) as unknown;
      return csvRow([r.coll, r.job, r.task, ...columns.map((c) => fieldValue(doc, c))]);
    },
    tail: format === "json" ? "\n]\n" : "",
  });
  // recorded once the export is under way (a refused query exports nothing)
  const project = filter.project ? await db().project.findUnique({ where: { slug: filter.project }, select: { id: true } }) : null;
  await audit(viewer.id, "results.export", filter.project ?? null, { filter: JSON.parse(JSON.stringify(filter)), format, ...(fields?.length ? { fields } : {}) } as Prisma.InputJsonValue, { projectId: project?.id ?? null });
  return { stream, contentType: CONTENT_TYPE[format] };
}
