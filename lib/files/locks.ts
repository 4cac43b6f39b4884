import "server-only";
import type { Prisma } from "../generated/prisma/client.ts";

type Tx = Prisma.TransactionClient;

/**
 * Advisory locks (transaction-scoped) that keep the store and its rows in step: a blob's, taken
 * around recording an upload of that content and around removing the blob, so the collector
 * never removes a blob an upload is being recorded for; and a user's, around the quota check and
 * the upload's row, so two uploads at once cannot both fit into the last free bytes.
 */
export async function lockBlob(tx: Tx, sha256: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`levhub.blob:${sha256}`}))`;
}

export async function lockQuota(tx: Tx, userId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`levhub.files:${userId}`}))`;
}
