import "server-only";
/**
 * The hub's store of the files users give runs: one blob per content, by sha256
 * (`<data>/blobs/sha256/ab/<hex>`, runner/src/blobs.ts), read-only (0444) once written. A staged
 * upload is moved into place by rename (its bytes were hashed as they arrived), so a blob is
 * complete or absent; nothing is ever written under a name a user chose. Links are never followed:
 * what stands at a blob's path is checked with lstat, and blobs are opened with O_NOFOLLOW. The
 * callers hold the blob's advisory lock (lib/files/locks.ts) around keep and drop, so a blob is
 * never removed while an upload of the same content is being recorded.
 */
import { constants } from "node:fs";
import { chmod, copyFile, lstat, mkdir, open, readdir, rename, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { Readable } from "node:stream";
import { blobPath, SHA256_HEX } from "../../runner/src/blobs.ts";
import { blobsDir } from "../platform/config.ts";
import { ownDirectory } from "../api/staging.ts";
import type { StagedFile } from "../api/multipart.ts";

export const blobFile = (sha256: string): string => blobPath(blobsDir(), sha256);

/** Whether the blob is in place: a regular file (never a link) of `size` bytes. */
export async function hasBlob(sha256: string, size: number): Promise<boolean> {
  const st = await lstat(blobFile(sha256)).catch(() => null);
  return !!st && st.isFile() && st.size === size;
}

/**
 * Makes `staged` the blob of its content (the caller holds that blob's lock): a blob already in
 * place is kept (the staged copy is left for the request to remove); anything else at its path (a
 * link, a file of another size) is replaced. The staged file is made read-only, then renamed.
 */
export async function keepBlob(staged: StagedFile): Promise<void> {
  if (!SHA256_HEX.test(staged.sha256)) throw new Error(`a staged file without its sha256 (${staged.sha256})`);
  if (await hasBlob(staged.sha256, staged.size)) return;
  const dest = blobFile(staged.sha256);
  await ownDirectory(blobsDir());
  await mkdir(path.dirname(dest), { recursive: true, mode: 0o700 });
  await rm(dest, { force: true });
  await chmod(staged.path, 0o444);
  try {
    await rename(staged.path, dest);
  } catch (err) {
    // the staging directory on another file system than the blobs: copy beside the blob, then rename
    if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
    const tmp = `${dest}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await copyFile(staged.path, tmp, constants.COPYFILE_EXCL);
      await chmod(tmp, 0o444);
      await rename(tmp, dest);
    } finally {
      await rm(tmp, { force: true });
    }
  }
}

/** Removes a blob (the caller holds its lock and saw that no upload names it). */
export async function dropBlob(sha256: string): Promise<void> {
  await rm(blobFile(sha256), { force: true });
}

/**
 * The blob's bytes as a stream, with its length: opened without following a link, and only when
 * it is a regular file of the size the upload recorded (else null: missing or damaged).
 */
export async function openBlob(sha256: string, size: number): Promise<{ stream: ReadableStream<Uint8Array>; size: number } | null> {
  const handle = await open(blobFile(sha256), constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => null);
  if (!handle) return null;
  const st = await handle.stat();
  if (!st.isFile() || st.size !== size) {
    await handle.close();
    return null;
  }
  const stream = handle.createReadStream();
  return { stream: Readable.toWeb(stream) as ReadableStream<Uint8Array>, size };
}

/** Every blob on disk, with when it was last written (the collector's sweep for blobs no upload names). */
export async function* blobsOnDisk(): AsyncGenerator<{ sha256: string; mtime: Date }> {
  const root = path.join(blobsDir(), "sha256");
  for (const prefix of await readdir(root).catch(() => [] as string[])) {
    if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
    for (const name of await readdir(path.join(root, prefix)).catch(() => [] as string[])) {
      if (!SHA256_HEX.test(name) || !name.startsWith(prefix)) continue;
      const st = await lstat(path.join(root, prefix, name)).catch(() => null);
      if (st) yield { sha256: name, mtime: st.mtime };
    }
  }
}
