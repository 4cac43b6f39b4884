import "server-only";
/**
 * Runs and saved scans record the files their arguments reference (`RunFile`, `ScanFile`), in the
 * transaction that makes (or changes) them: that is the reference count the collector reads, and
 * a referenced upload cannot be deleted (the foreign keys RESTRICT it).
 */
import { AppError } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";

type Tx = Prisma.TransactionClient;

/**
 * Locks the uploads about to be referenced (FOR KEY SHARE: the collector's FOR UPDATE waits, then
 * sees the reference) and checks each is still there: one removed since the arguments were checked
 * refuses the whole change.
 */
async function lockFiles(tx: Tx, ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  const found = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "FileUpload" WHERE id = ANY(${[...ids]}::text[]) FOR KEY SHARE`;
  if (found.length !== new Set(ids).size) {
    throw new AppError("not_found", "a file the arguments name was removed meanwhile: upload it again");
  }
}

/** The run references these uploads (written with the run, in its transaction). */
export async function recordRunFiles(tx: Tx, runId: string, fileIds: readonly string[]): Promise<void> {
  if (!fileIds.length) return;
  await lockFiles(tx, fileIds);
  await tx.runFile.createMany({ data: [...new Set(fileIds)].map((fileId) => ({ runId, fileId })) });
}

/** The scan references exactly these uploads from now on (its earlier references go). */
export async function replaceScanFiles(tx: Tx, scanId: string, fileIds: readonly string[]): Promise<void> {
  await lockFiles(tx, fileIds);
  await tx.scanFile.deleteMany({ where: { scanId, fileId: { notIn: [...fileIds] } } });
  if (fileIds.length) await tx.scanFile.createMany({ data: [...new Set(fileIds)].map((fileId) => ({ scanId, fileId })), skipDuplicates: true });
}
