/**
 * `Cr(files=…)`: the runner writes each file into a directory it owns and mounts it read-only,
 * file by file. A `path` source names a file of the package: it must resolve (symlinks
 * followed, on the host) to a regular file inside the package directory, within the size cap.
 */
import { readFile, realpath, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { ChannelReplyError } from "../channel/channel.ts";
import { formatBytes } from "../channel/log-sink.ts";
import type { CrSpec } from "../channel/spec.ts";

/** Where the package directory is mounted in every container. */
export const PKG_IN_CONTAINER = "/lev/pkg";

export interface PlannedFile {
  host: string;
  target: string;
  source: CrSpec["files"][string];
}

/** Host paths for a container's files, decided before anything is written. */
export function planFiles(cr: CrSpec, dir: string): PlannedFile[] {
  return Object.entries(cr.files).map(([target, source], i) => ({ host: path.join(dir, `file-${i}`), target, source }));
}

function refuse(target: string, why: string): never {
  throw new ChannelReplyError("InvalidRequest", `files['${target}']: ${why}`);
}

/**
 * A `path` source, relative to the package (or absolute under /lev/pkg, as the package sees
 * itself), → the real host path of a regular file inside the package.
 */
export async function packageFile(pkgDir: string, target: string, source: string, maxBytes: number): Promise<string> {
  let rel = source;
  if (rel.startsWith(`${PKG_IN_CONTAINER}/`)) rel = rel.slice(PKG_IN_CONTAINER.length + 1);
  if (path.posix.isAbsolute(rel) || rel.includes("\0")) refuse(target, `'${source}' is not a path inside the package`);
  const root = await realpath(pkgDir);
  const inside = (p: string) => p.startsWith(root + path.sep);
  const lexical = path.resolve(root, rel);
  if (!inside(lexical)) refuse(target, `'${source}' resolves outside the package`);
  let real: string;
  try {
    real = await realpath(lexical);
  } catch {
    refuse(target, `'${source}' does not exist in the package`);
  }
  if (!inside(real)) refuse(target, `'${source}' resolves outside the package`);
  const st = await stat(real);
  if (!st.isFile()) refuse(target, `'${source}' is not a regular file`);
  if (st.size > maxBytes) refuse(target, `'${source}' is ${formatBytes(st.size)}, over the limit of ${formatBytes(maxBytes)}`);
  return real;
}

/**
 * Checks every planned file (package paths resolved, sizes) without reading the package files;
 * together they may hold at most `maxBytes`, so a task waiting for a slot holds little.
 */
export async function checkFiles(files: PlannedFile[], pkgDir: string, maxBytes: number): Promise<number> {
  let total = 0;
  for (const f of files) {
    if ("b64" in f.source) total += Math.floor((f.source.b64.length * 3) / 4);
    else total += (await stat(await packageFile(pkgDir, f.target, f.source.path, maxBytes))).size;
    if (total > maxBytes) {
      throw new ChannelReplyError("InvalidRequest", `files: ${formatBytes(total)} or more in all, over the limit of ${formatBytes(maxBytes)}`);
    }
  }
  return total;
}

/** Every planned file's content (given, or read from the package); refuses before anything is written. */
export async function readFiles(files: PlannedFile[], pkgDir: string, maxBytes: number): Promise<Buffer[]> {
  const contents: Buffer[] = [];
  for (const f of files) {
    if ("b64" in f.source) {
      const data = Buffer.from(f.source.b64, "base64");
      if (data.length > maxBytes) refuse(f.target, `${formatBytes(data.length)} is over the limit of ${formatBytes(maxBytes)}`);
      contents.push(data);
    } else {
      const real = await packageFile(pkgDir, f.target, f.source.path, maxBytes);
      const data = await readFile(real);
      if (data.length > maxBytes) refuse(f.target, `'${f.source.path}' changed while it was read`);
      contents.push(data);
    }
  }
  return contents;
}

/** Writes them into the runner's directory: readable by the container's user, writable by nobody. */
export async function writeFiles(files: PlannedFile[], contents: Buffer[]): Promise<void> {
  await Promise.all(files.map((f, i) => writeFile(f.host, contents[i], { mode: 0o444, flag: "wx" })));
}
