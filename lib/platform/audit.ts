import "server-only";
import { db } from "./db.ts";
import type { Prisma } from "../generated/prisma/client.ts";

/**
 * Records who did what (and in which project, for the project's own record); never throws into the
 * caller's path.
 */
export async function audit(actorId: string | null, action: string, target: string | null, data?: Prisma.InputJsonValue, opts: { projectId?: string | null } = {}): Promise<void> {
  try {
    await db().auditEvent.create({ data: { actorId, action, target, data, projectId: opts.projectId ?? null } });
  } catch (err) {
    console.error("[levhub] audit event not recorded:", action, err);
  }
}
