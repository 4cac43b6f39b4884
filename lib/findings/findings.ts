import "server-only";
import { db } from "../platform/db.ts";
import { notFound } from "../errors.ts";
import { ASSET_PAGE, type FindingsQuery } from "../schemas/findings.ts";
import { FINDING_SEVERITIES, FINDING_STATES, type FindingSeverity, type FindingState } from "../schemas/finding-vocabulary.ts";
import type { Viewer } from "../types.ts";
import { FINDING_COLUMNS, findingSummary, type FindingRowSql } from "./finding-rows.ts";
import { badCursor, decodeCursor, encodeCursor, projectFor } from "./project.ts";
import type { FindingDetail, FindingPage } from "./types.ts";

/**
 * A project's findings: worst first (severity, then newest), keyset pages, filtered by severity,
 * state and tool; their counts come from `FindingCount` (kept by triggers), so a page with a
 * million findings behind it counts nothing itself.
 */

const zero = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** Tools listed in the filter (the most findings first). */
const TOOLS_LISTED = 50;

export async function listFindings(viewer: Viewer, slug: string, query: FindingsQuery): Promise<FindingPage> {
  const project = await projectFor(viewer, slug);
  const limit = query.limit ?? ASSET_PAGE.default;
  // each filter: its column, its condition, its value; numbered per statement, as each count leaves one out
  const filters: { col: string; sql: (n: number) => string; value: unknown }[] = [];
  if (query.severity?.length) filters.push({ col: "severity", sql: (n) => `"severity" = ANY($${n}::"FindingSeverity"[])`, value: query.severity });
  if (query.state?.length) filters.push({ col: "state", sql: (n) => `"state" = ANY($${n}::"FindingState"[])`, value: query.state });
  if (query.tool !== undefined) filters.push({ col: "tool", sql: (n) => `"tool" = $${n}`, value: query.tool });
  const conditions = (without: string | null, alias: string) => {
    const params: unknown[] = [project.id];
    const where = [`${alias}"projectId" = $1`];
    for (const f of filters) if (f.col !== without) where.push(`${alias}${f.sql(params.push(f.value))}`);
    return { where, params };
  };
  const { where, params } = conditions(null, "f.");
  const after = decodeCursor(query.after, ["string", "number"] as const);
  if (after) {
    if (!(FINDING_SEVERITIES as readonly string[]).includes(after[0])) throw badCursor();
    where.push(`(f."severity", f."id") < ($${params.push(after[0])}::"FindingSeverity", $${params.push(after[1])}::bigint)`);
  }
  const rows = await db().$queryRawUnsafe<FindingRowSql[]>(
    `SELECT ${FINDING_COLUMNS} FROM "Finding" f WHERE ${where.join(" AND ")} ORDER BY f."severity" DESC, f."id" DESC LIMIT ${limit + 1}`,
    ...params,
  );
  const items = rows.slice(0, limit).map(findingSummary);
  const last = items[items.length - 1];

  // each count under the other filters (a chip shows what choosing it would list)
  const count = <K extends string>(col: string, select: string, tail = "") => {
    const c = conditions(col, "");
    return db().$queryRawUnsafe<{ k: K; n: bigint }[]>(`SELECT ${select} AS "k", sum("n") AS "n" FROM "FindingCount" WHERE ${c.where.join(" AND ")} GROUP BY 1${tail}`, ...c.params);
  };
  const [severities, states, tools] = await Promise.all([
    count<FindingSeverity>("severity", `"severity"::text`),
    count<FindingState>("state", `"state"::text`),
    count<string>("tool", `"tool"`, ` HAVING sum("n") > 0 ORDER BY 2 DESC, 1 LIMIT ${TOOLS_LISTED}`),
  ]);
  const severity = zero(FINDING_SEVERITIES);
  for (const r of severities) severity[r.k] = Number(r.n);
  const state = zero(FINDING_STATES);
  for (const r of states) state[r.k] = Number(r.n);
  return {
    items,
    next: rows.length > limit ? encodeCursor([last.severity, Number(last.id)]) : null,
    counts: { severity, state, tools: tools.map((t) => ({ tool: t.k, count: Number(t.n) })) },
  };
}

/** Evidence rows a finding's page shows (newest first). */
const EVIDENCE_SHOWN = 100;

/** One finding with its evidence and the history of its state. */
export async function getFinding(viewer: Viewer, slug: string, id: string): Promise<FindingDetail> {
  const project = await projectFor(viewer, slug);
  const [row] = /^\d{1,18}$/.test(id)
    ? await db().$queryRawUnsafe<FindingRowSql[]>(`SELECT ${FINDING_COLUMNS} FROM "Finding" f WHERE f."projectId" = $1 AND f."id" = $2::bigint`, project.id, id)
    : [];
  if (!row) throw notFound(`finding ${id} in project ${slug}`);
  const [evidence, history] = await Promise.all([
    db().$queryRawUnsafe<{ runId: string; number: number | null; job: number; coll: string; task: number; path: string; excerpt: string; sha256: string; seenAt: Date; documentId: bigint | null }[]>(
      `SELECT e."runId", r."number", e."job", e."coll", e."task", e."path", e."excerpt", e."sha256", e."seenAt", d."id" AS "documentId"
         FROM "FindingEvidence" e LEFT JOIN "Run" r ON r."id" = e."runId"
         LEFT JOIN "ResultDocument" d ON d."coll" = e."coll" AND d."job" = e."job" AND d."task" = e."task"
        WHERE e."findingId" = $1 ORDER BY e."seenAt" DESC, e."id" DESC LIMIT ${EVIDENCE_SHOWN}`,
      row.id,
    ),
    db().$queryRawUnsafe<{ fromState: FindingState | null; toState: FindingState; username: string | null; runId: string | null; number: number | null; note: string; at: Date }[]>(
      `SELECT c."fromState"::text AS "fromState", c."toState"::text AS "toState", u."username", c."runId", r."number", c."note", c."at"
         FROM "FindingStateChange" c LEFT JOIN "User" u ON u."id" = c."actorId" LEFT JOIN "Run" r ON r."id" = c."runId"
        WHERE c."findingId" = $1 ORDER BY c."id"`,
      row.id,
    ),
  ]);
  return {
    ...findingSummary(row),
    evidence: evidence.map((e) => ({
      // a run deleted since keeps its number in the evidence (the document's `_id.job`)
      run: { id: e.runId, number: e.number ?? e.job },
      coll: e.coll,
      task: e.task,
      path: e.path,
      excerpt: e.excerpt,
      sha256: e.sha256,
      seenAt: e.seenAt.toISOString(),
      documentId: e.documentId === null ? null : String(e.documentId),
    })),
    history: history.map((h) => ({ from: h.fromState, to: h.toState, by: h.username, run: h.runId && h.number !== null ? { id: h.runId, number: h.number } : null, note: h.note, at: h.at.toISOString() })),
    canTriage: project.rights.includes("run"),
  };
}
