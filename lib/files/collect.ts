import "server-only";
/**
 * The collector: removes uploads nothing references once past their grace period (`collectable`,
 * policy.ts), then a blob once no upload names it, each under the blob's lock and with the upload's
 * row locked FOR UPDATE, so a run or scan taking a reference at that moment either waits and keeps
 * the file, or finds it gone and says so. It also sweeps blobs no row names (a hub that stopped
 * between moving a blob into place and committing its row) and staged uploads a stopped request
 * left. `npm start` runs it every hour.
 */
import { lstat, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { db } from "../platform/db.ts";
import { uploadStagingDir } from "../platform/config.ts";
import { blobsOnDisk, dropBlob } from "./blob-store.ts";
import { lockBlob } from "./locks.ts";
import { collectable, UPLOAD_GRACE_MS } from "./policy.ts";

/** Uploads looked at per pass (the next pass takes the rest). */
const BATCH = 500;
/** A staged upload this old belongs to no request still running. */
const STAGED_MAX_AGE_MS = 3600_000;
const EVERY_MS = 3600_000;

export interface Collected {
  uploads: number;
  blobs: number;
  staged: number;
}

/** Removes the upload (and, when it was the last of its content, the blob) if it is still collectable. */
async function collectOne(id: string, sha256: string, now: Date, graceMs: number): Promise<{ upload: boolean; blob: boolean }> {
  return db().$transaction(async (tx) => {
    await lockBlob(tx, sha256);
    const [row] = await tx.$queryRaw<{ createdAt: Date; runs: bigint; scans: bigint }[]>`
      SELECT u."createdAt",
             (SELECT count(*) FROM "RunFile" r WHERE r."fileId" = u.id) AS runs,
             (SELECT count(*) FROM "ScanFile" s WHERE s."fileId" = u.id) AS scans
        FROM "FileUpload" u WHERE u.id = ${id} FOR UPDATE OF u`;
    // referenced meanwhile (a run queued, a scan saved): kept
    if (!row || !collectable({ createdAt: row.createdAt, runs: Number(row.runs), scans: Number(row.scans) }, now, graceMs)) return { upload: false, blob: false };
    await tx.fileUpload.delete({ where: { id } });
    const left = await tx.fileUpload.count({ where: { sha256 } });
    if (left === 0) await dropBlob(sha256);
    return { upload: true, blob: left === 0 };
  });
}

/** Removes a blob on disk no upload names, once older than the grace period. */
async function sweepBlob(sha256: string): Promise<boolean> {
  return db().$transaction(async (tx) => {
    await lockBlob(tx, sha256);
    if ((await tx.fileUpload.count({ where: { sha256 } })) > 0) return false;
    await dropBlob(sha256);
    return true;
  });
}

async function sweepStaged(now: Date): Promise<number> {
  const dir = uploadStagingDir();
  let n = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, name);
    const st = await lstat(file).catch(() => null);
    if (st?.isFile() && now.getTime() - st.mtime.getTime() > STAGED_MAX_AGE_MS) {
      await rm(file, { force: true });
      n++;
    }
  }
  return n;
}

/** One pass of the collector. */
export async function collectFiles(now = new Date(), graceMs = UPLOAD_GRACE_MS): Promise<Collected> {
  const out: Collected = { uploads: 0, blobs: 0, staged: 0 };
  const candidates = await db().$queryRaw<{ id: string; sha256: string }[]>`
    SELECT u.id, u.sha256 FROM "FileUpload" u
     WHERE u."createdAt" <= ${new Date(now.getTime() - graceMs)}
       AND NOT EXISTS (SELECT 1 FROM "RunFile" r WHERE r."fileId" = u.id)
       AND NOT EXISTS (SELECT 1 FROM "ScanFile" s WHERE s."fileId" = u.id)
     ORDER BY u."createdAt" LIMIT ${BATCH}`;
  for (const c of candidates) {
    const done = await collectOne(c.id, c.sha256, now, graceMs);
    if (done.upload) out.uploads++;
    if (done.blob) out.blobs++;
  }
  for await (const blob of blobsOnDisk()) {
    if (now.getTime() - blob.mtime.getTime() < graceMs) continue;
    if (await sweepBlob(blob.sha256)) out.blobs++;
  }
  out.staged = await sweepStaged(now);
  return out;
}

let timer: NodeJS.Timeout | null = null;

/** `npm start`: a pass now and every hour (a failed pass is logged; the next one tries again). */
export function startFileCollector(log: (msg: string) => void = console.log): void {
  if (timer) return;
  const pass = () =>
    collectFiles()
      .then((c) => {
        if (c.uploads || c.blobs || c.staged) log(`[levhub] files: removed ${c.uploads} unused uploads, ${c.blobs} blobs, ${c.staged} stale staged uploads`);
      })
      .catch((err: Error) => log(`[levhub] files: the collector failed: ${err.message}`));
  void pass();
  timer = setInterval(pass, EVERY_MS);
  timer.unref();
}

export function stopFileCollector(): void {
  if (timer) clearInterval(timer);
  timer = null;
}
