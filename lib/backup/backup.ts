import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { stagedEntries, writeArchive } from "./archive.ts";
import { BACKUP_FORMAT_VERSION, type BackupManifest } from "./manifest.ts";
import type { HubLocation } from "./part.ts";
import { PARTS } from "./parts/index.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** This Levhub's version (package.json) and commit (LEVHUB_COMMIT, else git's HEAD when it is a checkout). */
export function levhubVersion(): BackupManifest["levhub"] {
  const version = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
  let commit = process.env.LEVHUB_COMMIT || null;
  if (!commit) {
    try {
      commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, stdio: ["ignore", "pipe", "ignore"] }).toString().trim() || null;
    } catch {
      commit = null;
    }
  }
  return { version, commit };
}

/**
 * Writes one archive of the hub to `out`: every part dumped into a staging directory beside it
 * (same disk, never memory), each file's sha256 in the manifest, then the tar streamed from the
 * staged files. The archive appears under its name only once complete.
 */
export async function createBackup(hub: HubLocation, out: string, log: (line: string) => void = () => undefined): Promise<BackupManifest> {
  out = path.resolve(out);
  await mkdir(path.dirname(out), { recursive: true });
  const staging = await mkdtemp(path.join(path.dirname(out), ".levhub-backup-"));
  try {
    const parts: BackupManifest["parts"] = [];
    for (const part of PARTS) {
      const dir = path.join(staging, part.name);
      await mkdir(dir, { recursive: true });
      const counts = await part.dump(hub, dir);
      log(`${part.name}: ${describeCounts(counts)}`);
      parts.push({ name: part.name, counts });
    }
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT_VERSION,
      levhub: levhubVersion(),
      createdAt: new Date().toISOString(),
      dataDir: path.resolve(hub.dataDir),
      parts,
      entries: await stagedEntries(staging),
    };
    const partial = `${out}.partial`;
    await writeArchive(partial, staging, manifest);
    await rename(partial, out);
    return manifest;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

export function describeCounts(counts: Record<string, number>): string {
  const keys = Object.keys(counts);
  const total = keys.reduce((s, k) => s + counts[k], 0);
  return keys.length > 3 ? `${keys.length} kinds, ${total} in all` : keys.map((k) => `${counts[k]} ${k}`).join(", ") || "nothing";
}
