/**
 * Unpacks a package archive from a hub into a directory, trusting nothing in it: regular files
 * and directories only (no links, devices or FIFOs), relative names without `..`, and caps on
 * the unpacked size and the number of entries. Everything lands in a fresh temporary directory
 * beside the target first, so a refused archive leaves nothing behind.
 */
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import { extract } from "tar-stream";

export class UnsafeArchiveError extends Error {}

export interface ExtractLimits {
  maxBytes: number;
  maxEntries: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = { maxBytes: 64 * 1024 * 1024, maxEntries: 10_000 };

/** A tar name → a safe relative POSIX path, or why not. */
export function safeEntryName(name: string): string {
  const clean = name.replace(/^(\.\/)+/, "");
  if (!clean || clean.includes("\0") || clean.includes("\\")) throw new UnsafeArchiveError(`'${name}' is not a safe file name`);
  if (clean.startsWith("/")) throw new UnsafeArchiveError(`'${name}' is an absolute path`);
  const parts = clean.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new UnsafeArchiveError(`'${name}' leaves the package directory`);
  return parts.join("/");
}

async function entries(gz: Buffer, limits: ExtractLimits): Promise<{ name: string; dir: boolean; data: Buffer }[]> {
  let tar: Buffer;
  try {
    tar = gunzipSync(gz, { maxOutputLength: limits.maxBytes + 1024 * 1024 });
  } catch (err) {
    throw new UnsafeArchiveError(`not a .tar.gz within ${limits.maxBytes} bytes: ${err instanceof Error ? err.message : String(err)}`);
  }
  const out: { name: string; dir: boolean; data: Buffer }[] = [];
  let total = 0;
  const ex = extract();
  Readable.from([tar]).pipe(ex);
  for await (const entry of ex) {
    const h = entry.header;
    if (out.length >= limits.maxEntries) throw new UnsafeArchiveError(`more than ${limits.maxEntries} entries`);
    if (h.type !== "file" && h.type !== "directory") throw new UnsafeArchiveError(`'${h.name}' is a ${h.type}: only files and directories`);
    const name = safeEntryName(h.name);
    const chunks: Buffer[] = [];
    for await (const c of entry) {
      total += (c as Buffer).length;
      if (total > limits.maxBytes) throw new UnsafeArchiveError(`more than ${limits.maxBytes} bytes unpacked`);
      chunks.push(c as Buffer);
    }
    if (name) out.push({ name, dir: h.type === "directory", data: Buffer.concat(chunks) });
  }
  return out;
}

/** Unpacks `gz` into `target` (replaced as a whole once everything was written). */
export async function extractArchive(gz: Buffer, target: string, limits: ExtractLimits = DEFAULT_EXTRACT_LIMITS): Promise<void> {
  const list = await entries(gz, limits);
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = await mkdtemp(path.join(path.dirname(target), `.${path.basename(target)}-`));
  try {
    // mkdtemp makes it 0700; renamed into place it must be readable by the containers' user 65534
    await chmod(tmp, 0o755);
    const files = new Set(list.filter((e) => !e.dir).map((e) => e.name));
    for (const e of list) {
      // a file and a directory of one name, or a path through a file: refused, not overwritten
      const parents = e.name.split("/").slice(0, -1).map((_, i, a) => a.slice(0, i + 1).join("/"));
      if (parents.some((p) => files.has(p)) || (e.dir && files.has(e.name))) throw new UnsafeArchiveError(`'${e.name}' clashes with a file of the same name`);
      const dest = path.join(tmp, ...e.name.split("/"));
      if (e.dir) await mkdir(dest, { recursive: true, mode: 0o755 });
      else {
        await mkdir(path.dirname(dest), { recursive: true, mode: 0o755 });
        await writeFile(dest, e.data, { mode: 0o644, flag: "wx" }).catch((err: NodeJS.ErrnoException) => {
          throw err.code === "EEXIST" ? new UnsafeArchiveError(`'${e.name}' appears twice`) : err;
        });
      }
    }
    await rm(target, { recursive: true, force: true });
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
