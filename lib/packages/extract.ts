import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import yauzl from "yauzl";

export interface ExtractLimits {
  /** compressed archive size */
  archiveBytes: number;
  files: number;
  /** sum of every file's unpacked size */
  unpackedBytes: number;
}

export const UPLOAD_LIMITS: ExtractLimits = {
  archiveBytes: 20 * 1024 * 1024,
  files: 2000,
  unpackedBytes: 100 * 1024 * 1024,
};

export type ArchiveKind = "zip" | "wheel" | "tar.gz";

/** A problem with the archive itself; the upload reports it and stores nothing. */
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

/**
 * The safe relative path of an archive entry, or an ArchiveError naming it: no absolute paths,
 * no drive letters or backslashes, no `..`, no NUL, nothing but printable names.
 */
export function safeEntryPath(raw: string): string {
  const shown = JSON.stringify(raw);
  if (raw.includes("\0")) throw new ArchiveError(`${shown}: file names may not contain NUL`);
  if (raw.includes("\\")) throw new ArchiveError(`${shown}: file names may not contain '\\'`);
  if (raw.startsWith("/") || /^[A-Za-z]:/.test(raw)) throw new ArchiveError(`${shown}: absolute paths are not allowed`);
  const parts = raw.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.some((p) => p === "..")) throw new ArchiveError(`${shown}: '..' is not allowed in paths`);
  // eslint-disable-next-line no-control-regex
  if (parts.some((p) => /[\x00-\x1f]/.test(p))) throw new ArchiveError(`${shown}: control characters in file names`);
  if (parts.length === 0) return "";
  if (parts.join("/").length > 400) throw new ArchiveError(`${shown}: path too long`);
  return parts.join("/");
}

class Budget {
  files = 0;
  bytes = 0;
  readonly seen = new Set<string>();
  constructor(readonly limits: ExtractLimits) {}

  addFile(rel: string) {
    if (this.seen.has(rel)) throw new ArchiveError(`'${rel}' appears twice in the archive`);
    this.seen.add(rel);
    if (++this.files > this.limits.files) throw new ArchiveError(`the archive has more than ${this.limits.files} files`, "too_large");
  }

  /** counts the bytes actually written, whatever the headers claim */
  meter(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        this.bytes += chunk.length;
        if (this.bytes > this.limits.unpackedBytes) {
          cb(new ArchiveError(`the archive unpacks to more than ${Math.round(this.limits.unpackedBytes / 1048576)} MiB`, "too_large"));
        } else cb(null, chunk);
      },
    });
  }
}

async function writeEntry(dest: string, rel: string, source: Readable, budget: Budget) {
  const target = path.join(dest, rel);
  // belt and braces: the joined path must stay inside dest
  if (!target.startsWith(dest + path.sep)) throw new ArchiveError(`'${rel}' would be written outside the package`);
  await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
  await pipeline(source, budget.meter(), createWriteStream(target, { mode: 0o644, flags: "wx" }));
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
    throw new ArchiveError(`not a valid zip archive (${err instanceof Error ? err.message : String(err)})`);
  }
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      zip.close();
      reject(err instanceof ArchiveError ? err : new ArchiveError(`the zip archive is damaged (${err instanceof Error ? err.message : String(err)})`));
    };
    zip.on("error", fail);
    zip.on("end", () => !failed && resolve());
    zip.on("entry", (entry: yauzl.Entry) => {
      void (async () => {
        const raw = Buffer.isBuffer(entry.fileName) ? (entry.fileName as Buffer).toString("utf8") : String(entry.fileName);
        const rel = safeEntryPath(raw);
        const unixMode = (entry.externalFileAttributes >>> 16) & 0xffff;
        const type = unixMode & S_IFMT;
        const isDir = raw.endsWith("/") || type === S_IFDIR;
        if (type === S_IFLNK) throw new ArchiveError(`'${rel}' is a symbolic link; links are not allowed`);
        if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) throw new ArchiveError(`'${rel}' is not a regular file or folder`);
        if (entry.isEncrypted()) throw new ArchiveError(`'${rel}' is encrypted`);
        if (rel === "") return zip.readEntry();
        if (isDir) {
          await mkdir(path.join(dest, rel), { recursive: true, mode: 0o755 });
        } else {
          budget.addFile(rel);
          if (entry.uncompressedSize > budget.limits.unpackedBytes) {
            throw new ArchiveError(`'${rel}' unpacks to more than the upload limit`, "too_large");
          }
          const stream = await new Promise<Readable>((res, rej) => zip.openReadStream(entry, (err, s) => (err ? rej(err) : res(s))));
          await writeEntry(dest, rel, stream, budget);
        }
        zip.readEntry();
      })().catch(fail);
    });
    zip.readEntry();
  });
}

async function extractTarGz(data: Buffer, dest: string, budget: Budget): Promise<void> {
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      const rel = safeEntryPath(h.name);
      switch (h.type) {
        case "directory":
          if (rel) await mkdir(path.join(dest, rel), { recursive: true, mode: 0o755 });
          entry.resume();
          break;
        case "file":
        case "contiguous-file":
        case null:
        case undefined:
          if (!rel) throw new ArchiveError(`an entry has an empty name`);
          budget.addFile(rel);
          await writeEntry(dest, rel, Readable.from(entry), budget);
          break;
        case "symlink":
        case "link":
          throw new ArchiveError(`'${rel}' is a ${h.type === "link" ? "hard" : "symbolic"} link (to '${h.linkname ?? ""}'); links are not allowed`);
        default:
          throw new ArchiveError(`'${rel}' is a ${h.type}; only regular files and folders are allowed`);
      }
    }
  })();
  const feed = pipeline(Readable.from([data]), createGunzip(), extract).catch((err: unknown) => {
    throw err instanceof ArchiveError ? err : new ArchiveError(`not a valid .tar.gz archive (${err instanceof Error ? err.message : String(err)})`);
  });
  try {
    await Promise.all([done, feed]);
  } catch (err) {
    extract.destroy();
    throw err instanceof ArchiveError ? err : new ArchiveError(`not a valid .tar.gz archive (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** Unpacks `data` into the empty directory `dest` under the limits. On error `dest` may hold a part: the caller removes it. */
export async function extractArchive(kind: ArchiveKind, data: Buffer, dest: string, limits: ExtractLimits = UPLOAD_LIMITS): Promise<{ files: number; bytes: number }> {
  if (data.length > limits.archiveBytes) {
    throw new ArchiveError(`the archive is larger than ${Math.round(limits.archiveBytes / 1048576)} MiB`, "too_large");
  }
  await mkdir(dest, { recursive: true, mode: 0o755 });
  const budget = new Budget(limits);
  if (kind === "tar.gz") await extractTarGz(data, dest, budget);
  else await extractZip(data, dest, budget);
  return { files: budget.files, bytes: budget.bytes };
}
