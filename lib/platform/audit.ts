import "server-only";
import { db } from "./db.ts";
import type { Prisma } from "../generated/prisma/client.ts";

/** Records who did what; never throws into the caller's path. */
export async function audit(actorId: string | null, action: string, target: string | null, data?: Prisma.InputJsonValue): Promise<void> {
  try {
    await db().auditEvent.create({ data: { actorId, action, target, data } });
  } catch (err) {
    console.error("[levhub] audit event not recorded:", action, err);
  }
}
