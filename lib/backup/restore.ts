import "server-only";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { MongoResultStore } from "../../runner/src/index.ts";
import { readArchive } from "./archive.ts";
import type { BackupManifest } from "./manifest.ts";
import type { HubLocation } from "./part.ts";
import { PARTS } from "./parts/index.ts";
import { reindexRun } from "../results/index-writer.ts";

/** What a new hub's data directory may already hold: the embedded database the restore fills. */
const FRESH_DATA_DIR = new Set(["pg", "pg-password"]);

export interface RestoreReport {
  manifest: BackupManifest;
  counts: Record<string, Record<string, number>>;
  /** runs whose results index was rebuilt, and the documents it now holds */
  reindexed: { runs: number; documents: number };
  secretsKey: "restored" | "absent";
  authSecret: "restored" | "absent";
}

export class RestoreRefused extends Error {}

/**
 * Brings a new hub to the archive's state: checks every entry's sha256 (in a staging directory
 * beside the data directory) before anything of the hub is written, then restores the parts in
 * order, checks each part's counts against the manifest, and rebuilds the results index from the
 * restored results store. `secretsKey`: the key the operator kept apart (never in an archive);
 * without it stored secrets stay encrypted and unusable. `authSecret`: the old hub's
 * NEXTAUTH_SECRET (`<data>/nextauth-secret`), also never archived; without it sessions end and
 * two-factor secrets cannot be read (their owners sign in with a recovery code and enrol again). `force`: a data directory with files in it.
 * The database and the results database must be new ones, always.
 */
export async function restoreBackup(
  hub: HubLocation,
  archive: string,
  opts: { force?: boolean; secretsKey?: Buffer | null; authSecret?: Buffer | null; log?: (line: string) => void } = {},
): Promise<RestoreReport> {
  const log = opts.log ?? (() => undefined);
  if (process.env.DATABASE_URL !== hub.databaseUrl) throw new RestoreRefused("DATABASE_URL must name the database being restored (the results index is rebuilt through it)");
  const present = existsSync(hub.dataDir) ? readdirSync(hub.dataDir).filter((n) => !FRESH_DATA_DIR.has(n)) : [];
  if (present.length && !opts.force) throw new RestoreRefused(`${hub.dataDir} is not empty (${present.slice(0, 5).join(", ")}${present.length > 5 ? ", …" : ""}): restore into a new data directory, or pass --force`);
  await mkdir(hub.dataDir, { recursive: true });
  const staging = await mkdtemp(path.join(path.dirname(path.resolve(hub.dataDir)), ".levhub-restore-"));
  try {
    const manifest = await readArchive(archive, staging);
    log(`archive verified: ${manifest.entries.length} files, made ${manifest.createdAt} by Levhub ${manifest.levhub.version}${manifest.levhub.commit ? ` (${manifest.levhub.commit.slice(0, 12)})` : ""}`);
    const counts: RestoreReport["counts"] = {};
    for (const part of PARTS) {
      const expected = manifest.parts.find((p) => p.name === part.name);
      if (!expected) throw new RestoreRefused(`the archive has no ${part.name} part`);
      const got = await part.restore(hub, path.join(staging, part.name), manifest);
      const wrong = Object.keys({ ...expected.counts, ...got }).filter((k) => (expected.counts[k] ?? 0) !== (got[k] ?? 0));
      if (wrong.length) throw new Error(`${part.name}: restored counts differ from the archive's: ${wrong.map((k) => `${k} ${got[k] ?? 0} ≠ ${expected.counts[k] ?? 0}`).join(", ")}`);
      counts[part.name] = got;
      log(`${part.name}: restored`);
    }
    let secretsKey: RestoreReport["secretsKey"] = "absent";
    if (opts.secretsKey?.length) {
      writeFileSync(path.join(hub.dataDir, "secrets.key"), opts.secretsKey, { mode: 0o600 });
      secretsKey = "restored";
    }
    let authSecret: RestoreReport["authSecret"] = "absent";
    if (opts.authSecret?.length) {
      writeFileSync(path.join(hub.dataDir, "nextauth-secret"), opts.authSecret, { mode: 0o600 });
      authSecret = "restored";
    }
    const reindexed = await rebuildResultsIndex(hub);
    log(`results index rebuilt: ${reindexed.documents} documents of ${reindexed.runs} runs`);
    return { manifest, counts, reindexed, secretsKey, authSecret };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Every run's index rows again from the results store, then a count check of the index as a whole. */
async function rebuildResultsIndex(hub: HubLocation): Promise<{ runs: number; documents: number }> {
  const client = new pg.Client({ connectionString: hub.databaseUrl });
  await client.connect();
  let runIds: string[];
  try {
    runIds = (await client.query<{ id: string }>(`SELECT "id" FROM "Run" ORDER BY "number"`)).rows.map((r) => r.id);
  } finally {
    await client.end();
  }
  const store = await MongoResultStore.connect(hub.mongoUri);
  let documents = 0;
  try {
    for (const id of runIds) documents += (await reindexRun(store, id)).documents;
  } finally {
    await store.close();
  }
  const check = new pg.Client({ connectionString: hub.databaseUrl });
  await check.connect();
  try {
    const { rows } = await check.query<{ n: string }>(`SELECT count(*)::text AS n FROM "ResultDocument"`);
    if (Number(rows[0].n) !== documents) throw new Error(`the results index holds ${rows[0].n} documents after the rebuild, the store gave ${documents}`);
  } finally {
    await check.end();
  }
  return { runs: runIds.length, documents };
}
