/**
 * `npm run restore -- <archive.tar> [--force] [--secrets-key-file <file>]`: brings a new hub
 * (LEVHUB_DATA_DIR, and DATABASE_URL / MONGODB_URI when set) to the archive's state and rebuilds
 * the results index. The secrets key comes from a file or a prompt, never the command line.
 */
import { existsSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import Docker from "dockerode";
import { dataDir, mongoUri } from "../lib/platform/config.ts";
import { connectHubDatabase } from "./hub-database.ts";

const USAGE = "usage: npm run restore -- <archive.tar> [--force] [--secrets-key-file <file>] [--nextauth-secret-file <file>]";

function fail(msg: string): never {
  console.error(msg);
  process.exit(2);
}

const args = process.argv.slice(2);
let archive: string | null = null;
let force = false;
let keyFile: string | null = null;
let authFile: string | null = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--force") force = true;
  else if (args[i] === "--secrets-key-file" && args[i + 1]) keyFile = args[++i];
  else if (args[i] === "--nextauth-secret-file" && args[i + 1]) authFile = args[++i];
  else if (!args[i].startsWith("-") && !archive) archive = args[i];
  else fail(USAGE);
}
if (!archive) fail(USAGE);
if (!existsSync(archive)) fail(`no such archive: ${archive}`);

async function promptKey(question: string): Promise<Buffer | null> {
  if (!process.stdin.isTTY) return null;
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, cb) {
      if (!muted) process.stdout.write(chunk);
      cb();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  const answer = rl.question(question);
  muted = true;
  const key = (await answer).trim();
  rl.close();
  process.stdout.write("\n");
  return key ? Buffer.from(`${key}\n`) : null;
}

const secretsKey = keyFile ? readFileSync(keyFile) : await promptKey("The secrets key (the old hub's secrets.key; empty: none): ");
if (!secretsKey) console.warn("No secrets key given: stored secrets stay encrypted and cannot be used until <data>/secrets.key holds the old hub's key.");
const authSecret = authFile ? readFileSync(authFile) : await promptKey("The old hub's NEXTAUTH_SECRET (its nextauth-secret file; empty: none): ");
if (!authSecret) console.warn("No NEXTAUTH_SECRET given: everyone signs in again, and two-factor users with a recovery code (then enrol again).");

const db = await connectHubDatabase({ create: true });
if (!db.ok) fail(db.problem);
try {
  const { restoreBackup, RestoreRefused } = await import("../lib/backup/restore.ts");
  try {
    const report = await restoreBackup({ dataDir: dataDir(), databaseUrl: process.env.DATABASE_URL!, mongoUri: mongoUri(), docker: new Docker() }, archive, {
      force,
      secretsKey,
      authSecret,
      log: (line) => console.log(line),
    });
    console.log(`restored into ${dataDir()}: ${report.reindexed.runs} runs, ${report.reindexed.documents} result documents indexed; secrets key ${report.secretsKey}, NEXTAUTH_SECRET ${report.authSecret}`);
  } catch (err) {
    if (err instanceof RestoreRefused) fail(err.message);
    throw err;
  }
} finally {
  const { closeResultsPool } = await import("../lib/results/pg.ts");
  await closeResultsPool().catch(() => undefined);
  await db.started?.stop();
}
