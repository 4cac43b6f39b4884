/**
 * `Cr(files=…)`: the runner writes each file into a directory it owns and mounts it read-only,
 * file by file. A `path` source names a file of the package: it must resolve (symlinks
 * followed, on the host) to a regular file inside the package directory, within the size cap.
 * A file reference (`levrt.File`) names one of the run's stored files (`RunSpec.refs`): that blob
 * is mounted read-only as it is, never copied, and never a path the Cr chose.
 */
import { readFile, realpath, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { ChannelReplyError } from "../channel/channel.ts";
import { formatBytes } from "../channel/log-sink.ts";
import { REF_KEY, type RunFile, type RunRefs } from "../refs.ts";
import type { CrSpec } from "../channel/spec.ts";

/** Where the package directory is mounted in every container. */
export const PKG_IN_CONTAINER = "/lev/pkg";

export interface PlannedFile {
  host: string;
  target: string;
  source: CrSpec["files"][string];
  /** a file reference's stored blob (`host` is its path); null for content the runner writes */
  stored: RunFile | null;
}

function refuse(target: string, why: string): never {
  throw new ChannelReplyError("InvalidRequest", `files['${target}']: ${why}`);
}

/**
 * Host paths for a container's files, decided before anything is written: the runner's own file
 * for content and package files, the stored blob for a reference of this run (any other refused).
 */
export function planFiles(cr: CrSpec, dir: string, refs: RunRefs = {}): PlannedFile[] {
  return Object.entries(cr.files).map(([target, source], i) => {
    if (!(REF_KEY in source)) return { host: path.join(dir, `file-${i}`), target, source, stored: null };
    const stored = Object.hasOwn(refs, source.id) ? refs[source.id] : undefined;
    if (stored?.kind !== "file") refuse(target, `file '${source.id}' is not one of this run's files`);
    return { host: stored.path, target, source, stored };
  });
}

/** A stored blob is still what the run was given: a regular file of the recorded size. */
async function checkStored(f: PlannedFile): Promise<void> {
  if (!f.stored) refuse(f.target, "a file reference that was not planned");
  const st = await stat(f.host).catch(() => null);
  if (!st?.isFile() || st.size !== f.stored.size) {
    throw new ChannelReplyError("RunnerError", `files['${f.target}']: the stored file '${f.stored.name}' is missing or changed on this runner`);
  }
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
    // a stored file was capped when it was uploaded; it is mounted, not held by the runner
    if (REF_KEY in f.source) await checkStored(f);
    else if ("b64" in f.source) total += Math.floor((f.source.b64.length * 3) / 4);
    else total += (await stat(await packageFile(pkgDir, f.target, f.source.path, maxBytes))).size;
    if (total > maxBytes) {
      throw new ChannelReplyError("InvalidRequest", `files: ${formatBytes(total)} or more in all, over the limit of ${formatBytes(maxBytes)}`);
    }
  }
  return total;
}

/**
 * Every planned file's content (given, or read from the package; null for a stored file, which is
 * mounted as it is); refuses before anything is written.
 */
export async function readFiles(files: PlannedFile[], pkgDir: string, maxBytes: number): Promise<(Buffer | null)[]> {
  const contents: (Buffer | null)[] = [];
  for (const f of files) {
    if (REF_KEY in f.source) contents.push(null);
    else if ("b64" in f.source) {
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
export async function writeFiles(files: PlannedFile[], contents: (Buffer | null)[]): Promise<void> {
  await Promise.all(files.map((f, i) => (f.stored || contents[i] === null ? undefined : writeFile(f.host, contents[i], { mode: 0o444, flag: "wx" }))));
}
