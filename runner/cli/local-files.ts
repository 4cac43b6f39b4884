/**
 * `lev exec … --param wordlist=@words.txt`: a file for a file parameter (`levrt.File`), given
 * locally. The file is copied into a content-addressed store under the Levhub home
 * (`blobs/sha256/<2>/<64 hex>`, read-only), so the run mounts a copy that cannot change under it,
 * and the run gets a fresh random reference to it (RunSpec.refs), as a hub's run would.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { chmod, copyFile, mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { blobPath } from "../src/blobs.ts";
import { levhubHome } from "../src/config.ts";
import type { ManifestParam } from "../src/manifest/introspect.ts";
import { ParamValidationError, type ParamErrors } from "../src/manifest/params.ts";
import { newRefId, REF_KEY, type RunFile } from "../src/refs.ts";

/** The largest file `lev exec` stores for a run (a wordlist or a capture, not a disk image). */
export const MAX_LOCAL_FILE_BYTES = 1024 * 1024 * 1024;

export function localBlobDir(): string {
  return path.join(levhubHome(), "blobs");
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash);
  return hash.digest("hex");
}

/** Copies `file` into the store (once per content) and returns where it is and what it is. */
export async function storeLocalFile(file: string, blobDir = localBlobDir()): Promise<{ path: string; size: number; sha256: string }> {
  const st = await stat(file).catch(() => null);
  if (!st) throw new Error(`${file} does not exist`);
  if (!st.isFile()) throw new Error(`${file} is not a regular file`);
  if (st.size > MAX_LOCAL_FILE_BYTES) throw new Error(`${file} is ${Math.ceil(st.size / 1048576)} MiB, over the limit of ${MAX_LOCAL_FILE_BYTES / 1048576} MiB`);
  // copy first, then hash the copy: what is hashed is what the run mounts
  await mkdir(path.join(blobDir, "tmp"), { recursive: true, mode: 0o700 });
  const tmp = path.join(blobDir, "tmp", `${process.pid}-${newRefId()}`);
  try {
    await copyFile(file, tmp);
    const sha256 = await sha256Of(tmp);
    const size = (await stat(tmp)).size;
    const dest = blobPath(blobDir, sha256);
    await mkdir(path.dirname(dest), { recursive: true, mode: 0o755 });
    if (!(await stat(dest).catch(() => null))?.isFile()) {
      // readable by the container's unprivileged user, writable by nobody
      await chmod(tmp, 0o444);
      await rename(tmp, dest);
    }
    return { path: dest, size, sha256 };
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * The arguments with each file parameter's `@path` stored and replaced by a reference, and the
 * run's references. A file parameter given anything but one `@path` is a parameter error; other
 * parameters are left as they are (`@` means nothing to them).
 */
export async function localFileArgs(
  params: ManifestParam[],
  raw: Record<string, string | string[]>,
  blobDir = localBlobDir(),
): Promise<{ args: Record<string, unknown>; refs: Record<string, RunFile> }> {
  const args: Record<string, unknown> = { ...raw };
  const refs: Record<string, RunFile> = {};
  const errors: ParamErrors = {};
  for (const p of params) {
    if (p.type !== "file" || raw[p.name] === undefined) continue;
    const v = raw[p.name];
    if (typeof v !== "string" || !v.startsWith("@") || v.length < 2) {
      errors[p.name] = `is a file: give it as --param ${p.name}=@path`;
      continue;
    }
    const file = path.resolve(v.slice(1));
    try {
      const stored = await storeLocalFile(file, blobDir);
      const id = newRefId();
      refs[id] = { kind: "file", path: stored.path, name: path.basename(file).slice(0, 255), size: stored.size, sha256: stored.sha256 };
      args[p.name] = { [REF_KEY]: "file", id };
    } catch (e) {
      errors[p.name] = (e as Error).message;
    }
  }
  if (Object.keys(errors).length) throw new ParamValidationError(errors);
  return { args, refs };
}
