import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";
import { backupManifestSchema, type BackupManifest, type ManifestEntry } from "./manifest.ts";

export const MANIFEST_NAME = "manifest.json";

export async function sha256File(file: string): Promise<string> {
  const h = createHash("sha256");
  await pipeline(createReadStream(file), h);
  return h.digest("hex");
}

/** Every regular file under `root`, as archive paths (`/`-separated, relative), sorted. */
export async function listFiles(root: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const d of (await readdir(path.join(root, prefix), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = prefix ? `${prefix}/${d.name}` : d.name;
    if (d.isDirectory()) out.push(...(await listFiles(root, rel)));
    else if (d.isFile()) out.push(rel);
  }
  return out;
}

/** The manifest's entries for every file staged under `root`. */
export async function stagedEntries(root: string): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = [];
  for (const rel of await listFiles(root)) {
    const file = path.join(root, rel);
    entries.push({ path: rel, size: (await stat(file)).size, sha256: await sha256File(file) });
  }
  return entries;
}

/**
 * Writes `manifest.json` then every entry, each streamed from its staged file (one entry in
 * memory at a time, whatever the archive's size).
 */
export async function writeArchive(out: string, root: string, manifest: BackupManifest): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(out, { mode: 0o600 }));
  const json = Buffer.from(JSON.stringify(manifest, null, 2));
  pack.entry({ name: MANIFEST_NAME, size: json.length, mode: 0o600 }, json);
  for (const e of manifest.entries) {
    const entry = pack.entry({ name: e.path, size: e.size, mode: 0o600 });
    await pipeline(createReadStream(path.join(root, e.path)), entry);
  }
  pack.finalize();
  await done;
}

export class ArchiveProblem extends Error {}

const safeRelative = (p: string) => p.length > 0 && !p.startsWith("/") && !p.split("/").some((s) => s === ".." || s === "." || s === "");

/**
 * Unpacks an archive into `root` (a fresh staging directory, never the hub's state), refusing
 * what the manifest does not list, then checks every listed entry's size and sha256: any
 * mismatch throws before a single part is restored.
 */
export async function readArchive(file: string, root: string): Promise<BackupManifest> {
  const extract = tar.extract();
  let manifest: BackupManifest | null = null;
  const seen = new Set<string>();
  extract.on("entry", (header, stream, next) => {
    const name = header.name;
    const fail = (msg: string) => {
      // the entry's stream is destroyed with the archive: its error is the archive's, reported once
      stream.on("error", () => undefined);
      stream.resume();
      extract.destroy(new ArchiveProblem(msg));
    };
    if (header.type !== "file") return fail(`the archive holds a ${header.type} (${name}); a backup holds only files`);
    if (name === MANIFEST_NAME) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on("data", (c: unknown) => {
        if (!Buffer.isBuffer(c)) return;
        size += c.length;
        if (size > 256 * 1024 * 1024) return fail("manifest.json is larger than 256 MiB");
        chunks.push(c);
      });
      stream.on("end", () => {
        const parsed = backupManifestSchema.safeParse(safeJson(Buffer.concat(chunks).toString("utf8")));
        if (!parsed.success) return fail(`manifest.json is not a Levhub backup manifest (format ${1}): ${parsed.error.issues[0]?.message ?? ""}`);
        manifest = parsed.data;
        next();
      });
      return;
    }
    if (!manifest) return fail("the archive does not start with manifest.json");
    const listed = manifest.entries.find((e) => e.path === name);
    if (!listed || !safeRelative(name)) return fail(`the archive holds ${name}, which its manifest does not list`);
    if (seen.has(name)) return fail(`the archive holds ${name} twice`);
    seen.add(name);
    const target = path.join(root, name);
    mkdir(path.dirname(target), { recursive: true })
      .then(() => pipeline(stream, createWriteStream(target, { mode: 0o600 })))
      .then(() => next(), (err: unknown) => extract.destroy(err as Error));
  });
  await pipeline(createReadStream(file), extract);
  const m = manifest as BackupManifest | null;
  if (!m) throw new ArchiveProblem("the archive holds no manifest.json");
  for (const e of m.entries) {
    if (!seen.has(e.path)) throw new ArchiveProblem(`${e.path} is listed in the manifest but missing from the archive`);
    const file = path.join(root, e.path);
    const size = (await stat(file)).size;
    if (size !== e.size) throw new ArchiveProblem(`${e.path}: ${size} bytes, the manifest says ${e.size}`);
    const sum = await sha256File(file);
    if (sum !== e.sha256) throw new ArchiveProblem(`${e.path}: sha256 ${sum}, the manifest says ${e.sha256}`);
  }
  return m;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
