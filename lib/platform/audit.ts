import "server-only";
import { db } from "./db.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { AuditAction } from "./audit-actions.ts";

export type { AuditAction };

/**
 * Records who did what (and in which project, for the project's own record); never throws into the
 * caller's path. `action` is one of the closed set (audit-actions.ts); `data` never holds a
 * secret's value, a password or a token (their ids and names only).
 */
export async function audit(actorId: string | null, action: AuditAction, target: string | null, data?: Prisma.InputJsonValue, opts: { projectId?: string | null } = {}): Promise<void> {
  try {
    await db().auditEvent.create({ data: { actorId, action, target, data, projectId: opts.projectId ?? null } });
  } catch (err) {
    console.error("[levhub] audit event not recorded:", action, err);
  }
}
