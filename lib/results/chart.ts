import "server-only";
import type { ResultFilter } from "../schemas/results.ts";
import type { Viewer } from "../types.ts";
import { viewerScope } from "./viewer-scope.ts";
import { fieldValuesSql, groupsAlong } from "./field-values.ts";
import { resultsQuery } from "./pg.ts";
import { parseFieldQuery } from "./query.ts";
import { parsePath } from "./query-text.ts";
import { SqlParams } from "./query-sql.ts";
import type { RunCount, TopValue } from "./types.ts";
import { whereSql } from "./where.ts";

const TOP_DEFAULT = 15;
const RUNS_DEFAULT = 30;

/**
 * The most frequent values of a field among the documents matching the filter (open ports,
 * services, hosts): arrays on the way are unnested (`hosts.ports.port` counts every port of every
 * host), only strings, numbers and booleans count. The filter's element groups on the field's
 * lists bound it (`field-values.ts`): `hosts[].ports[].port` under `hosts[].ports[] {state = open}`
 * counts the open ports only. GROUP BY in PostgreSQL.
 */
export async function topValues(viewer: Viewer, filter: ResultFilter, field: string, limit = TOP_DEFAULT): Promise<TopValue[]> {
  const p = new SqlParams();
  const where = whereSql(await viewerScope(viewer), filter, { params: p });
  const path = parsePath(field, "field");
  const values = fieldValuesSql(`d."doc"`, path, groupsAlong(filter.q?.trim() ? parseFieldQuery(filter.q) : null, path), p);
  const rows = await resultsQuery<{ value: string; count: string }>(
    `SELECT v.x::text AS "value", count(*)::text AS "count"
       FROM "ResultDocument" d ${values}
      WHERE ${where.sql} AND jsonb_typeof(v.x) IN ('string', 'number', 'boolean')
      GROUP BY v.x ORDER BY count(*) DESC, v.x LIMIT ${p.add(limit)}`,
    p.values,
  );
  return rows.map((r) => ({ value: r.value, count: Number(r.count) }));
}

/** Documents per run among those matching the filter, the latest runs, in time order. */
export async function countsPerRun(viewer: Viewer, filter: ResultFilter, limit = RUNS_DEFAULT): Promise<RunCount[]> {
  const p = new SqlParams();
  const where = whereSql(await viewerScope(viewer), filter, { params: p });
  const rows = await resultsQuery<{ runId: string; number: number; createdAt: Date; documents: string }>(
    `SELECT r."id" AS "runId", r."number", r."createdAt", c."documents"::text AS "documents"
       FROM (SELECT d."runId", count(*) AS "documents" FROM "ResultDocument" d WHERE ${where.sql} GROUP BY d."runId") c
       JOIN "Run" r ON r."id" = c."runId"
      ORDER BY r."createdAt" DESC LIMIT ${p.add(limit)}`,
    p.values,
  );
  return rows.reverse().map((r) => ({ runId: r.runId, number: r.number, createdAt: r.createdAt.toISOString(), documents: Number(r.documents) }));
}
