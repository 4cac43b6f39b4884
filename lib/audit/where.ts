/**
 * The audit trail's WHERE clause: what the caller may see (lib/access/audit-scope.ts) first, every
 * filter ANDed after it, so no filter widens it. Values are parameters, never SQL text. Pure.
 */
import type { AuditScope } from "../access/audit-scope.ts";
import { isAuditAction } from "../platform/audit-actions.ts";
import type { AuditFilter } from "../schemas/audit.ts";

export interface AuditWhere {
  sql: string;
  params: unknown[];
}

/** `e` is "AuditEvent". `before`: only ids below it (the keyset page). */
export function auditWhere(scope: AuditScope, filter: AuditFilter, before?: string | null): AuditWhere {
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const parts: string[] = [];
  if (!scope.all) parts.push(scope.projectIds.length ? `e."projectId" = ANY(${p([...scope.projectIds])}::text[])` : "FALSE");
  if (filter.actor) parts.push(`e."actorId" = (SELECT u2.id FROM "User" u2 WHERE u2.username = ${p(filter.actor)})`);
  if (filter.action) {
    parts.push(isAuditAction(filter.action) ? `e.action = ${p(filter.action)}` : `e.action LIKE ${p(`${filter.action}.%`)}`);
  }
  if (filter.project) parts.push(`e."projectId" = (SELECT p2.id FROM "Project" p2 WHERE p2.slug = ${p(filter.project)})`);
  if (filter.target) parts.push(`e.target = ${p(filter.target)}`);
  if (filter.from) parts.push(`e."createdAt" >= ${p(filter.from)}`);
  if (filter.to) parts.push(`e."createdAt" < ${p(filter.to)}`);
  if (before) parts.push(`e.id < ${p(before)}::bigint`);
  return { sql: parts.length ? parts.join(" AND ") : "TRUE", params };
}
