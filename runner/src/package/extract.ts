/**
 * The one way a package archive is unpacked — an upload to the hub, `lev add`, a worker's package
 * cache — trusting nothing in it: regular files and folders only (no links, devices or FIFOs),
 * relative names without `..`, absolute paths, drive letters, backslashes or control characters,
 * no name twice and no file where a folder is, under one shape of limits. Everything lands in a
 * fresh directory beside the target, renamed into place when complete: a refused archive leaves
 * nothing behind, and a target that existed is replaced as a whole.
 */
import { createWriteStream } from "node:fs";
import { chmod, mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import yauzl from "yauzl";

/** Every cap an archive is unpacked under. */
export interface ExtractLimits {
  /** the archive as given (compressed) */
  archiveBytes: number;
  /** every file's bytes once unpacked, in all (counted as written, whatever the headers claim) */
  unpackedBytes: number;
  /** regular files */
  files: number;
  /** files and folders */
  entries: number;
  /** folders a path goes down, its file name included (`a/b/c.py` is 3) */
  depth: number;
  /** characters of a path */
  pathLength: number;
}

/** A package archive fetched from a hub (`lev add`, a worker's package cache). */
export const FETCHED_PACKAGE_LIMITS: ExtractLimits = {
  archiveBytes: 64 * 1024 * 1024,
  unpackedBytes: 64 * 1024 * 1024,
  files: 10_000,
  entries: 10_000,
  depth: 32,
  pathLength: 400,
};

export type ArchiveKind = "zip" | "wheel" | "tar.gz";

/** A problem with the archive itself: nothing of it is kept. */
export class ArchiveError extends Error {
  constructor(
    message: string,
    readonly kind: "invalid" | "too_large" = "invalid",
  ) {
    super(message);
    this.name = "ArchiveError";
  }
}

export function archiveKind(filename: string): ArchiveKind {
  const f = filename.toLowerCase();
  if (f.endsWith(".whl")) return "wheel";
  if (f.endsWith(".zip")) return "zip";
  if (f.endsWith(".tar.gz") || f.endsWith(".tgz")) return "tar.gz";
  throw new ArchiveError(`'${filename}': upload a .zip, .tar.gz (.tgz) or .whl archive`);
}

const MiB = 1024 * 1024;
const size = (bytes: number): string => (bytes >= MiB && bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${bytes} bytes`);

/**
 * The safe relative path of an archive entry ("" for the archive's root folder), or an
 * ArchiveError naming it. `./` and empty parts are dropped.
 */
export function safeEntryPath(raw: string, limits: Pick<ExtractLimits, "depth" | "pathLength"> = FETCHED_PACKAGE_LIMITS): string {
  const shown = JSON.stringify(raw.slice(0, 200));
  if (raw.includes("\0")) throw new ArchiveError(`${shown}: file names may not contain NUL`);
  if (raw.includes("\\")) throw new ArchiveError(`${shown}: file names may not contain '\\'`);
  if (raw.startsWith("/") || /^[A-Za-z]:/.test(raw)) throw new ArchiveError(`${shown}: absolute paths are not allowed`);
  const parts = raw.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.some((p) => p === "..")) throw new ArchiveError(`${shown}: '..' is not allowed in paths`);
  // eslint-disable-next-line no-control-regex
  if (parts.some((p) => /[\x00-\x1f\x7f]/.test(p))) throw new ArchiveError(`${shown}: control characters in file names`);
  const rel = parts.join("/");
  if (rel.length > limits.pathLength) throw new ArchiveError(`${shown}: path too long (more than ${limits.pathLength} characters)`);
  if (parts.length > limits.depth) throw new ArchiveError(`${shown}: more than ${limits.depth} folders deep`);
  return rel;
}

/** What has been unpacked so far, held to the limits and to one entry per name. */
class Budget {
  files = 0;
  entries = 0;
  bytes = 0;
  private readonly fileNames = new Set<string>();
  private readonly folderNames = new Set<string>();

  constructor(readonly limits: ExtractLimits) {}

  private count(rel: string) {
    if (++this.entries > this.limits.entries) throw new ArchiveError(`the archive has more than ${this.limits.entries} entries`, "too_large");
    const parents = rel.split("/").slice(0, -1).map((_, i, a) => a.slice(0, i + 1).join("/"));
    // a path through a file would write into it, or fail half-way: refused, not overwritten
    if (parents.some((p) => this.fileNames.has(p))) throw new ArchiveError(`'${rel}' clashes with a file of the same name`);
    for (const p of parents) this.folderNames.add(p);
  }

  addFolder(rel: string) {
    this.count(rel);
    if (this.fileNames.has(rel)) throw new ArchiveError(`'${rel}' clashes with a file of the same name`);
    this.folderNames.add(rel);
  }

  addFile(rel: string) {
    this.count(rel);
    if (this.fileNames.has(rel)) throw new ArchiveError(`'${rel}' appears twice in the archive`);
    if (this.folderNames.has(rel)) throw new ArchiveError(`'${rel}' clashes with a folder of the same name`);
    this.fileNames.add(rel);
    if (++this.files > this.limits.files) throw new ArchiveError(`the archive has more than ${this.limits.files} files`, "too_large");
  }

  tooLarge(): ArchiveError {
    return new ArchiveError(`the archive unpacks to more than ${size(this.limits.unpackedBytes)}`, "too_large");
  }

  /** counts the bytes actually written */
  meter(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        this.bytes += chunk.length;
        if (this.bytes > this.limits.unpackedBytes) cb(this.tooLarge());
        else cb(null, chunk);
      },
    });
  }
}

/** An error of the file system (ENOSPC, EACCES…) is the machine's, not the archive's. */
const isSystemError = (err: unknown): boolean => typeof (err as { syscall?: unknown })?.syscall === "string";

const invalid = (what: string, err: unknown): unknown =>
  err instanceof ArchiveError || isSystemError(err) ? err : new ArchiveError(`${what} (${err instanceof Error ? err.message : String(err)})`);

async function writeFile(dest: string, rel: string, source: Readable, budget: Budget) {
  const target = path.join(dest, rel);
  // belt and braces: the joined path must stay inside dest
  if (!target.startsWith(dest + path.sep)) throw new ArchiveError(`'${rel}' would be written outside the package`);
  await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
  await pipeline(source, budget.meter(), createWriteStream(target, { mode: 0o644, flags: "wx" }));
}

async function writeFolder(dest: string, rel: string, budget: Budget) {
  budget.addFolder(rel);
  await mkdir(path.join(dest, rel), { recursive: true, mode: 0o755 });
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

async function extractZip(data: Buffer, dest: string, budget: Budget): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.fromBuffer(data, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true }, (err, z) => (err ? reject(err) : resolve(z))),
    );
  } catch (err) {
    throw invalid("not a valid zip archive", err);
  }
  // the central directory says how many entries follow: too many is refused before reading one
  if (zip.entryCount > budget.limits.entries) {
    zip.close();
    throw new ArchiveError(`the archive has more than ${budget.limits.entries} entries`, "too_large");
  }
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      zip.close();
      reject(invalid("the zip archive is damaged", err));
    };
    zip.on("error", fail);
    zip.on("end", () => !failed && resolve());
    zip.on("entry", (entry: yauzl.Entry) => {
      void (async () => {
        const raw = Buffer.isBuffer(entry.fileName) ? (entry.fileName as Buffer).toString("utf8") : String(entry.fileName);
        const rel = safeEntryPath(raw, budget.limits);
        const unixMode = (entry.externalFileAttributes >>> 16) & 0xffff;
        const type = unixMode & S_IFMT;
        const isDir = raw.endsWith("/") || type === S_IFDIR;
        if (type === S_IFLNK) throw new ArchiveError(`'${rel}' is a symbolic link; links are not allowed`);
        if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) throw new ArchiveError(`'${rel}' is not a regular file or folder`);
        if (entry.isEncrypted()) throw new ArchiveError(`'${rel}' is encrypted`);
        if (rel === "") return zip.readEntry();
        if (isDir) await writeFolder(dest, rel, budget);
        else {
          budget.addFile(rel);
          if (entry.uncompressedSize > budget.limits.unpackedBytes) throw new ArchiveError(`'${rel}' alone unpacks to more than ${size(budget.limits.unpackedBytes)}`, "too_large");
          const stream = await new Promise<Readable>((res, rej) => zip.openReadStream(entry, (err, s) => (err ? rej(err) : res(s))));
          await writeFile(dest, rel, stream, budget);
        }
        zip.readEntry();
      })().catch(fail);
    });
    zip.readEntry();
  });
}

/**
 * The tar stream's bytes beyond the files' own: a 512-byte header and up to 511 bytes of padding
 * per entry, long-name and pax headers, the end blocks. Past it the stream is refused, so neither a
 * gzip bomb nor a huge pax header (tar-stream holds those in memory) gets further than the cap.
 */
const tarBytesCap = (limits: ExtractLimits): number => limits.unpackedBytes + limits.entries * 2048 + MiB;

async function extractTarGz(data: Buffer, dest: string, budget: Budget): Promise<void> {
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      const rel = safeEntryPath(h.name, budget.limits);
      switch (h.type) {
        case "directory":
          if (rel) await writeFolder(dest, rel, budget);
          entry.resume();
          break;
        case "file":
          if (!rel) throw new ArchiveError(`an entry has an empty name`);
          budget.addFile(rel);
          await writeFile(dest, rel, Readable.from(entry), budget);
          break;
        case "symlink":
        case "link":
          throw new ArchiveError(`'${rel}' is a ${h.type === "link" ? "hard" : "symbolic"} link (to '${(h.linkname ?? "").slice(0, 200)}'); links are not allowed`);
        default:
          throw new ArchiveError(`'${rel}' is a ${h.type ?? "entry of an unknown type"}; only regular files and folders are allowed`);
      }
    }
  })();
  let tarBytes = 0;
  const cap = tarBytesCap(budget.limits);
  const counted = new Transform({
    transform: (chunk: Buffer, _enc, cb) => {
      tarBytes += chunk.length;
      if (tarBytes > cap) cb(budget.tooLarge());
      else cb(null, chunk);
    },
  });
  const feed = pipeline(Readable.from([data]), createGunzip(), counted, extract);
  try {
    await Promise.all([done, feed]);
  } catch (err) {
    extract.destroy();
    await Promise.allSettled([done, feed]);
    throw invalid("not a valid .tar.gz archive", err);
  }
}

/**
 * Unpacks `data` into `dest` under `limits`: into a fresh directory beside it first, which then
 * replaces `dest` (made readable to the containers' user). Returns what was written.
 */
export async function extractArchive(kind: ArchiveKind, data: Buffer, dest: string, limits: ExtractLimits): Promise<{ files: number; bytes: number }> {
  if (data.length > limits.archiveBytes) throw new ArchiveError(`the archive is larger than ${size(limits.archiveBytes)}`, "too_large");
  await mkdir(path.dirname(dest), { recursive: true, mode: 0o755 });
  const tmp = await mkdtemp(path.join(path.dirname(dest), `.${path.basename(dest)}-`));
  try {
    // mkdtemp makes it 0700; renamed into place it must be readable by the containers' user 65534
    await chmod(tmp, 0o755);
    const budget = new Budget(limits);
    if (kind === "tar.gz") await extractTarGz(data, tmp, budget);
    else await extractZip(data, tmp, budget);
    await rm(dest, { recursive: true, force: true });
    await rename(tmp, dest);
    return { files: budget.files, bytes: budget.bytes };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
