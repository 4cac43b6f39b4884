/**
 * A results filter and the viewer's scope → one parameterised WHERE clause on "ResultDocument"
 * (aliased `d`). The scope comes first and is never optional: no filter, field query included,
 * can widen it (every part is ANDed). Pure.
 */
import type { ResultFilter } from "../schemas/results.ts";
import type { ResultScope } from "./access.ts";
import { parseFieldQuery } from "./query.ts";
import { querySql, SqlParams } from "./query-sql.ts";
import { parseRunRef } from "../schemas/runs.ts";

export interface WhereClause {
  sql: string;
  params: unknown[];
}

export function whereSql(scope: ResultScope, filter: ResultFilter, opts: { after?: string; params?: SqlParams } = {}): WhereClause {
  const p = opts.params ?? new SqlParams();
  const parts: string[] = [];
  if (!scope.all) parts.push(`d."projectId" = ANY(${p.add(scope.projectIds)}::text[])`);
  if (filter.project) parts.push(`d."projectId" = ${projectBySlug(filter.project, p)}`);
  if (filter.coll) parts.push(`d."coll" = ${p.add(filter.coll)}`);
  const run = filter.run ? runIdSql(filter.run, p) : null;
  if (run) parts.push(`d."runId" = ${run}`);
  if (filter.package) {
    const [ns, name] = filter.package.split(".");
    parts.push(
      `d."packageId" = (SELECT pk."id" FROM "Package" pk JOIN "Namespace" ns ON ns."id" = pk."namespaceId" WHERE ns."name" = ${p.add(ns)} AND pk."name" = ${p.add(name)})`,
    );
  }
  if (filter.function) parts.push(`d."function" = ${p.add(filter.function)}`);
  if (filter.from) parts.push(`d."storedAt" >= ${p.add(filter.from)}`);
  if (filter.to) parts.push(`d."storedAt" < ${p.add(filter.to)}`);
  if (filter.q?.trim()) parts.push(querySql(parseFieldQuery(filter.q), p, `d."doc"`));
  if (opts.after) parts.push(`d."id" > ${p.add(opts.after)}::bigint`);
  // with a field query the planner's choice between the GIN hint and an id-ordered scan is left alone
  const bound = !filter.q?.trim() || filter.run ? idBound(scope, filter, p) : null;
  if (bound) parts.push(bound);
  return { sql: parts.length ? parts.join(" AND ") : "TRUE", params: p.values };
}

const projectBySlug = (slug: string, p: SqlParams) => `(SELECT pj."id" FROM "Project" pj WHERE pj."slug" = ${p.add(slug)})`;

/**
 * `d.id BETWEEN` the first and last id under the filter's most selective equality (a run, a
 * project's part of a collection, the viewer's projects), each looked up in its keyset index.
 * Implied by the filter, so it changes no result; it lets the planner start the id-ordered scan
 * where those documents are. Without it, a run in the middle of a million documents was found by
 * walking the primary key from the first id and filtering (~400 ms instead of ~5), since the
 * planner assumes its rows are spread. The viewer's projects are looked up one by one (a lateral
 * join over the ids), so each uses the (projectId, coll, id) or (projectId, id) index.
 */
function idBound(scope: ResultScope, filter: ResultFilter, p: SqlParams): string | null {
  if (filter.run) {
    const where = `r."runId" = ${runIdSql(filter.run, p)}`;
    return `d."id" BETWEEN (SELECT min(r."id") FROM "ResultDocument" r WHERE ${where}) AND (SELECT max(r."id") FROM "ResultDocument" r WHERE ${where})`;
  }
  if (filter.project || !scope.all) {
    const ids = filter.project ? `ARRAY[${projectBySlug(filter.project, p)}]` : `${p.add(scope.all ? [] : scope.projectIds)}::text[]`;
    const coll = filter.coll ? ` AND r."coll" = ${p.add(filter.coll)}` : "";
    const per = (agg: "min" | "max") =>
      `(SELECT ${agg}(b."id") FROM unnest(${ids}) AS s("pid"), LATERAL (SELECT ${agg}(r."id") AS "id" FROM "ResultDocument" r WHERE r."projectId" = s."pid"${coll}) b)`;
    return `d."id" BETWEEN ${per("min")} AND ${per("max")}`;
  }
  if (!filter.coll) return null;
  const where = `r."coll" = ${p.add(filter.coll)}`;
  return `d."id" BETWEEN (SELECT min(r."id") FROM "ResultDocument" r WHERE ${where}) AND (SELECT max(r."id") FROM "ResultDocument" r WHERE ${where})`;
}

/**
 * The run filter as SQL for a run id: the id itself, or for a run number (`12`, `#12`: what pages
 * show) the id of the run with that number. The scope still applies: someone else's run number
 * filters down to nothing, as someone else's id does. A value naming no run matches nothing.
 */
function runIdSql(run: string, p: SqlParams): string {
  const ref = parseRunRef(run);
  if (!ref) return "NULL";
  return "number" in ref ? `(SELECT rn."id" FROM "Run" rn WHERE rn."number" = ${p.add(ref.number)})` : p.add(ref.id);
}
