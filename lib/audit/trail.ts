import "server-only";
import { auditScope, type AuditScope } from "../access/audit-scope.ts";
import { audit } from "../platform/audit.ts";
import { actionLabel } from "../platform/audit-actions.ts";
import { db } from "../platform/db.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { csvRow } from "../results/csv.ts";
import { cursorExport } from "../results/cursor-export.ts";
import { resultsQuery } from "../results/pg.ts";
import { AUDIT_PAGE, type AuditFilter } from "../schemas/audit.ts";
import type { Viewer } from "../types.ts";
import type { AuditEventView, AuditPage } from "./types.ts";
import { auditWhere } from "./where.ts";

/**
 * The audit trail as people read it: who did what, to what, in which project, when — newest first,
 * filtered by actor, action (or a group), project, target and time, a page at a time (keyset on the
 * event's id), or all of it as CSV or JSON through the export pool. Admins read every event;
 * project owners their projects' (lib/access/audit-scope.ts). Nothing here ever held a secret's
 * value: audited data names secrets by id and name.
 */

/** What the viewer may read: every event, or the events of the projects they own. */
export async function auditScopeOf(viewer: Viewer): Promise<AuditScope> {
  const owned = await db().projectMember.findMany({ where: { userId: viewer.id, role: "owner" }, select: { projectId: true } });
  return auditScope({ role: viewer.role, scopes: viewer.token?.scopes }, owned.map((m) => m.projectId));
}

interface Row {
  id: string;
  at: Date;
  actor: string | null;
  action: string;
  target: string | null;
  projectSlug: string | null;
  projectName: string | null;
  data: unknown;
}

const SELECT = `SELECT e.id::text AS id, e."createdAt" AS at, u.username AS actor, e.action, e.target, p.slug AS "projectSlug", p.name AS "projectName", e.data
  FROM "AuditEvent" e LEFT JOIN "User" u ON u.id = e."actorId" LEFT JOIN "Project" p ON p.id = e."projectId"`;

function view(r: Row): AuditEventView {
  return {
    id: r.id,
    at: r.at.toISOString(),
    actor: r.actor,
    action: r.action,
    label: actionLabel(r.action),
    target: r.target,
    project: r.projectSlug ? { slug: r.projectSlug, name: r.projectName ?? r.projectSlug } : null,
    data: r.data ?? null,
  };
}

/** One page of the trail, newest first; `next` continues it (the last id given), null at its end. */
export async function listAudit(viewer: Viewer, filter: AuditFilter, page: { before?: string | null; limit?: number } = {}): Promise<AuditPage> {
  const limit = Math.min(page.limit ?? AUDIT_PAGE.default, AUDIT_PAGE.max);
  const where = auditWhere(await auditScopeOf(viewer), filter, page.before);
  const rows = await resultsQuery<Row>(`${SELECT} WHERE ${where.sql} ORDER BY e.id DESC LIMIT ${limit + 1}`, where.params);
  const items = rows.slice(0, limit).map(view);
  return { items, next: rows.length > limit ? items.at(-1)!.id : null };
}

const CSV_COLUMNS = ["id", "at", "actor", "action", "target", "project", "data"];
export const AUDIT_EXPORT_BATCH = 500;

/** The whole filtered trail as CSV or JSON, streamed; the export itself is audited (`audit.export`). */
export async function exportAudit(viewer: Viewer, filter: AuditFilter, format: "csv" | "json"): Promise<{ stream: ReadableStream<Uint8Array>; contentType: string }> {
  const where = auditWhere(await auditScopeOf(viewer), filter);
  const { stream } = await cursorExport<Row>({
    userId: viewer.id,
    sql: `${SELECT} WHERE ${where.sql} ORDER BY e.id DESC`,
    params: where.params,
    batch: AUDIT_EXPORT_BATCH,
    head: () => (format === "csv" ? csvRow(CSV_COLUMNS) : "[\n"),
    row: (r, i) => {
      const v = view(r);
      if (format === "json") return `${i === 0 ? "" : ",\n"}${JSON.stringify(v)}`;
      return csvRow([v.id, v.at, v.actor, v.action, v.target, v.project?.slug ?? null, v.data === null ? null : JSON.stringify(v.data)]);
    },
    tail: format === "json" ? "\n]\n" : "",
  });
  await audit(viewer.id, "audit.export", filter.project ?? null, { filter: JSON.parse(JSON.stringify(filter)) as Prisma.InputJsonValue, format }, {
    projectId: filter.project ? ((await db().project.findUnique({ where: { slug: filter.project }, select: { id: true } }))?.id ?? null) : null,
  });
  return { stream, contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8" };
}
