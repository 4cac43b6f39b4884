/**
 * `npm run backup -- [--out <file.tar>]`: one archive of the hub (its database, results store,
 * package files and images, settings) with a manifest of sha256s; never the secrets key.
 * Works whether the hub is running or not (see scripts/hub-database.ts for the database).
 */
import path from "node:path";
import Docker from "dockerode";
import { dataDir, mongoUri } from "../lib/platform/config.ts";
import { createBackup, describeCounts } from "../lib/backup/backup.ts";
import { connectHubDatabase } from "./hub-database.ts";

const USAGE = "usage: npm run backup -- [--out <file.tar>]   (default ./levhub-backup-<UTC time>.tar)";

function fail(msg: string): never {
  console.error(msg);
  process.exit(2);
}

const args = process.argv.slice(2);
let out = `levhub-backup-${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "")}.tar`;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--out" && args[i + 1]) out = args[++i];
  else fail(USAGE);
}
out = path.resolve(out);
if (out.startsWith(dataDir() + path.sep)) fail(`write the archive outside the data directory (${dataDir()})`);

const db = await connectHubDatabase();
if (!db.ok) fail(db.problem);
try {
  const manifest = await createBackup({ dataDir: dataDir(), databaseUrl: process.env.DATABASE_URL!, mongoUri: mongoUri(), docker: new Docker() }, out, (line) => console.log(line));
  console.log(`wrote ${out}: ${manifest.entries.length} files (${manifest.parts.map((p) => `${p.name}: ${describeCounts(p.counts)}`).join("; ")})`);
  console.log("The secrets key is not in it: keep <data>/secrets.key apart; restore asks for it.");
} finally {
  await db.started?.stop();
}
