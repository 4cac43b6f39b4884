import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { copyFile, mkdir, stat } from "node:fs/promises";
import path from "node:path";
import { listFiles } from "../archive.ts";
import type { BackupPart } from "../part.ts";

/**
 * The data directory's own files: package versions (their directories and uploaded archives),
 * the bootstrap and worker tokens. Left out, each for a reason:
 * - `pg/`, `pg-password`: the embedded database and its password, dumped by the postgres part (a copy of a running server's files is not a backup);
 * - `images/`: the worker image cache, `docker save` tars the hub writes again on demand (images part);
 * - `staging/`, `run/`, `worker/`, `workers/`: uploads in flight, sockets, workers' caches;
 * - `secrets.key`: whoever holds an archive must not hold what decrypts its secrets (restore asks for it);
 * - `nextauth-secret`: it signs sessions and encrypts two-factor secrets, so an archive holding it
 *   would let its reader sign in to the restored hub as anyone; kept apart like the secrets key and
 *   asked for on restore (without it: everyone signs in again, two-factor users with a recovery code).
 */
export const DATA_DIR_EXCLUDED = ["pg", "pg-password", "images", "staging", "run", "worker", "workers", "secrets.key", "nextauth-secret"] as const;

/** Whether a top-level name of the data dir stays out of archives: the list above, and a key rotation's leftovers (`secrets.key.<key id>`, lib/platform/secrets-key.ts). */
export function excludedFromArchive(name: string): boolean {
  return (DATA_DIR_EXCLUDED as readonly string[]).includes(name) || name.startsWith("secrets.key.");
}

export const filesPart: BackupPart = {
  name: "files",

  async dump(hub, dir) {
    const modes: Record<string, number> = {};
    const root = path.join(dir, "data");
    await mkdir(root, { recursive: true });
    const top = existsSync(hub.dataDir) ? readdirSync(hub.dataDir, { withFileTypes: true }) : [];
    for (const d of top) {
      if (excludedFromArchive(d.name)) continue;
      const rels = d.isDirectory() ? (await listFiles(hub.dataDir, d.name)) : d.isFile() ? [d.name] : [];
      for (const rel of rels) {
        const from = path.join(hub.dataDir, rel);
        const to = path.join(root, rel);
        await mkdir(path.dirname(to), { recursive: true });
        await copyFile(from, to);
        modes[rel] = (await stat(from)).mode & 0o777;
      }
    }
    writeFileSync(path.join(dir, "modes.json"), JSON.stringify(modes));
    return { files: Object.keys(modes).length };
  },

  async restore(hub, dir) {
    const modes = JSON.parse(readFileSync(path.join(dir, "modes.json"), "utf8")) as Record<string, number>;
    const root = path.join(dir, "data");
    let n = 0;
    for (const rel of await listFiles(root)) {
      const to = path.join(hub.dataDir, rel);
      await mkdir(path.dirname(to), { recursive: true });
      await copyFile(path.join(root, rel), to);
      chmodSync(to, modes[rel] ?? 0o600);
      n++;
    }
    return { files: n };
  },
};
