import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { WorkerCaller } from "../access/access.ts";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { notFound, validation } from "../errors.ts";
import type { NewSecret } from "../types.ts";
import { credentialMatchesKind, WORKER_TOKEN_KINDS, workerTokenKind, type WorkerTokenKind } from "./token-kind.ts";
import { REQUEST_SEQ_HEADER, requestSeqSchema } from "../../runner/worker/protocol.ts";

/** Worker credentials: `lwk_` + 43 characters of base64url (32 random bytes); only the sha256 is kept. Devices' are `ldv_…`. */
export const WORKER_TOKEN_PREFIX = WORKER_TOKEN_KINDS.worker;
export const workerCredentialNameSchema = z.string().trim().min(1, "give the credential a name").max(64, "at most 64 characters");

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** A new token of a kind, with what the credential row stores of it (never the token itself). */
export function newWorkerToken(kind: WorkerTokenKind): { token: string; tokenHash: string; prefix: string } {
  const p = WORKER_TOKEN_KINDS[kind];
  const token = p + randomBytes(32).toString("base64url");
  return { token, tokenHash: sha256(token), prefix: token.slice(0, p.length + 6) };
}

export interface WorkerCredentialSummary {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

type Row = { id: string; name: string; prefix: string; createdAt: Date; revokedAt: Date | null; lastUsedAt: Date | null };
const view = (r: Row): WorkerCredentialSummary => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  createdAt: r.createdAt.toISOString(),
  revokedAt: r.revokedAt?.toISOString() ?? null,
  lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
});

/** Creates a credential; the token is returned once. `createdBy` null: the hub's own (npm start's worker). */
export async function createWorkerCredential(createdBy: string | null, name: string): Promise<NewSecret<WorkerCredentialSummary>> {
  const parsed = workerCredentialNameSchema.safeParse(name);
  if (!parsed.success) throw validation("invalid credential name", { name: parsed.error.issues[0].message });
  const { token, tokenHash, prefix } = newWorkerToken("worker");
  const row = await db().workerCredential.create({ data: { name: parsed.data, tokenHash, prefix, createdBy } });
  await audit(createdBy, "worker-credential.create", row.id, { name: row.name });
  return { token, item: view(row) };
}

export async function listWorkerCredentials(): Promise<WorkerCredentialSummary[]> {
  // devices' credentials are their owners' business (Settings → My devices)
  const rows = await db().workerCredential.findMany({ where: { ownerId: null }, orderBy: { createdAt: "desc" } });
  return rows.map(view);
}

/** Revokes at once: the next request with it is 401; its workers' runs end as WorkerLost once they stop answering. */
export async function revokeWorkerCredential(actorId: string, id: string): Promise<void> {
  const row = await db().workerCredential.findUnique({ where: { id } });
  if (!row || row.ownerId) throw notFound("worker credential");
  if (!row.revokedAt) await db().workerCredential.update({ where: { id }, data: { revokedAt: new Date() } });
  await audit(actorId, "worker-credential.revoke", id);
}

/**
 * The worker a bearer credential names, or null (unknown, revoked, or not a worker credential). A
 * device credential (`ldv_…`) comes with its device: revoking the device revokes the credential.
 */
export async function workerFromToken(token: string): Promise<WorkerCaller | null> {
  const kind = workerTokenKind(token);
  if (!kind) return null;
  // one statement on every worker request (Prisma read the device with a query of its own)
  const [row] = await db().$queryRaw<
    { id: string; name: string; ownerId: string | null; revokedAt: Date | null; lastUsedAt: Date | null; deviceId: string | null; deviceOwnerId: string | null; deviceName: string | null; deviceRevokedAt: Date | null }[]
  >`
    SELECT c.id, c.name, c."ownerId", c."revokedAt", c."lastUsedAt", d.id AS "deviceId", d."ownerId" AS "deviceOwnerId", d.name AS "deviceName", d."revokedAt" AS "deviceRevokedAt"
      FROM "WorkerCredential" c LEFT JOIN "Device" d ON d."credentialId" = c.id
     WHERE c."tokenHash" = ${sha256(token)}`;
  if (!row || row.revokedAt || row.deviceRevokedAt) return null;
  if (!credentialMatchesKind(kind, { ownerId: row.ownerId, hasDevice: row.deviceId !== null })) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db().workerCredential.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  const device = row.deviceId ? { id: row.deviceId, ownerId: row.deviceOwnerId!, name: row.deviceName! } : null;
  return { credentialId: row.id, name: row.name, device };
}

/**
 * The caller of a worker route: `Authorization: Bearer lwk_…` or `ldv_…` only (never a session
 * cookie or a user token), with the request's sequence number (checked where its instance admits it).
 */
export async function workerFromRequest(req: Request): Promise<WorkerCaller | null> {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization")?.trim() ?? "");
  const caller = m ? await workerFromToken(m[1]) : null;
  if (!caller) return null;
  const seq = requestSeqSchema.safeParse(req.headers.get(REQUEST_SEQ_HEADER) ?? "");
  return { ...caller, requestSeq: seq.success ? seq.data : null };
}
