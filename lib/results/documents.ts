import "server-only";
import { notFound } from "../errors.ts";
import { requireRight } from "../projects/access.ts";
import type { ResultFilter } from "../schemas/results.ts";
import { PAGE_LIMITS } from "../schemas/results.ts";
import { parseRunRef } from "../schemas/runs.ts";
import type { Viewer } from "../types.ts";
import { resultsQuery } from "./pg.ts";
import { viewerScope } from "./viewer-scope.ts";
import type { CollectionCount, ResultDocumentView, ResultPage } from "./types.ts";
import { whereSql } from "./where.ts";

interface Row {
  id: string;
  coll: string;
  runId: string;
  job: number;
  task: number;
  function: string;
  storedAt: Date;
  bytes: number;
  doc: unknown;
}

const COLUMNS = `d."id"::text AS "id", d."coll", d."runId", d."job", d."task", d."function", d."storedAt", d."bytes", d."doc"`;

const view = (r: Row): ResultDocumentView => ({ ...r, storedAt: r.storedAt.toISOString() });

/**
 * The collections of the projects the viewer may read (or of one of them, `project` by slug), with
 * how many documents each holds there.
 */
export async function listCollections(viewer: Viewer, opts: { project?: string } = {}): Promise<CollectionCount[]> {
  const scope = await viewerScope(viewer);
  const where: string[] = [];
  const params: unknown[] = [];
  if (!scope.all) where.push(`"projectId" = ANY($${params.push(scope.projectIds)}::text[])`);
  if (opts.project) where.push(`"projectId" = (SELECT pj."id" FROM "Project" pj WHERE pj."slug" = $${params.push(opts.project)})`);
  const rows = await resultsQuery<{ coll: string; documents: string; bytes: string; lastAt: Date }>(
    `SELECT "coll", sum("documents")::text AS "documents", sum("bytes")::text AS "bytes", max("lastAt") AS "lastAt"
       FROM "ResultCollection" ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      GROUP BY "coll" HAVING sum("documents") > 0 ORDER BY "coll"`,
    params,
  );
  return rows.map((r) => ({ coll: r.coll, documents: Number(r.documents), bytes: Number(r.bytes), lastAt: r.lastAt.toISOString() }));
}

/** One page of the documents matching the filter, oldest first; `after` continues from a page's `next`. */
export async function listDocuments(viewer: Viewer, filter: ResultFilter, page: { after?: string; limit?: number } = {}): Promise<ResultPage> {
  const limit = Math.min(page.limit ?? PAGE_LIMITS.default, PAGE_LIMITS.max);
  const where = whereSql(await viewerScope(viewer), filter, { after: page.after });
  const rows = await resultsQuery<Row>(`SELECT ${COLUMNS} FROM "ResultDocument" d WHERE ${where.sql} ORDER BY d."id" LIMIT $${where.params.length + 1}`, [
    ...where.params,
    limit + 1,
  ]);
  const items = rows.slice(0, limit).map(view);
  return { items, next: rows.length > limit ? items[items.length - 1].id : null };
}

/** One whole document; someone else's reads as missing. */
export async function getDocument(viewer: Viewer, id: string): Promise<ResultDocumentView> {
  const where = whereSql(await viewerScope(viewer), {});
  const rows = await resultsQuery<Row>(`SELECT ${COLUMNS} FROM "ResultDocument" d WHERE ${where.sql} AND d."id" = $${where.params.length + 1}::bigint`, [...where.params, id]);
  if (!rows[0]) throw notFound("document");
  return view(rows[0]);
}

/**
 * A page of one run's documents (the run page, `GET /api/runs/<id>/documents`), the run named by its
 * id or number. The run must be of a project the viewer may read: any other run is not found.
 */
export async function runDocumentsPage(viewer: Viewer, ref: string, page: { after?: string; limit?: number } = {}): Promise<ResultPage> {
  const key = parseRunRef(ref);
  const rows = key
    ? await resultsQuery<{ id: string; projectId: string }>(`SELECT "id", "projectId" FROM "Run" WHERE ${"number" in key ? `"number" = $1` : `"id" = $1`}`, ["number" in key ? key.number : key.id])
    : [];
  if (!rows[0]) throw notFound("run");
  await requireRight(viewer, rows[0].projectId, "read", "run");
  return listDocuments(viewer, { run: rows[0].id }, page);
}
