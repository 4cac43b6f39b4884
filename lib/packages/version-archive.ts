import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, existsSync, readdirSync, readFileSync, lstatSync } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";

/**
 * The files of a published version as one .tar.gz (what `lev add` downloads), built so that the
 * same files always give the same bytes: entries sorted by path, mtime 0, owner 0, modes 0644/0755,
 * regular files only (caches and VCS folders left out). Its sha256 is what the version API names.
 * It is built once, next to the version's directory, and served from there.
 */
const SKIP = new Set(["__pycache__", ".git", ".pytest_cache", ".lev"]);
/** never an uploaded archive's stored name: those are reduced to `[A-Za-z0-9._-]` */
export const VERSION_ARCHIVE_NAME = "files@levhub.tar.gz";

export interface VersionArchive {
  path: string;
  sha256: string;
  size: number;
}

const shaCache = new Map<string, VersionArchive>();

/** The stored version's files as archive entries: relative paths, sorted, regular files only. */
function files(dir: string): { name: string; abs: string; executable: boolean }[] {
  const out: { name: string; abs: string; executable: boolean }[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      if (SKIP.has(name) || name.endsWith(".pyc")) continue;
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(path.join(dir, r));
      if (st.isDirectory()) walk(r);
      else if (st.isFile()) out.push({ name: r, abs: path.join(dir, r), executable: (st.mode & 0o111) !== 0 });
    }
  };
  walk("");
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The deterministic .tar.gz of `dir`'s files. */
export async function buildVersionArchive(dir: string): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const f of files(dir)) {
    pack.entry(
      { name: f.name, mode: f.executable ? 0o755 : 0o644, mtime: new Date(0), uid: 0, gid: 0, uname: "", gname: "", type: "file" },
      readFileSync(f.abs),
    );
  }
  pack.finalize();
  await collected;
  return gzipSync(Buffer.concat(chunks), { level: 9 });
}

/** The archive of a stored version directory (`…/<version>-<id>/src`), built on first use. */
export async function versionArchive(dir: string): Promise<VersionArchive> {
  const cached = shaCache.get(dir);
  if (cached && existsSync(cached.path)) return cached;
  const target = path.join(path.dirname(dir), VERSION_ARCHIVE_NAME);
  let bytes: Buffer;
  if (existsSync(target)) bytes = await readFile(target);
  else {
    bytes = await buildVersionArchive(dir);
    // another request may build it at the same moment: both write the same bytes, each via its own file
    const tmp = `${target}.${randomBytes(4).toString("hex")}.tmp`;
    await writeFile(tmp, bytes, { mode: 0o644 });
    await rename(tmp, target);
  }
  const out = { path: target, sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length };
  shaCache.set(dir, out);
  return out;
}

/** The archive as a response body stream. */
export function archiveStream(archive: VersionArchive): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(archive.path)) as ReadableStream<Uint8Array>;
}
