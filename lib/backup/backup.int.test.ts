/**
 * The backup round trip (issue 14, point 4): a hub with a project, runs with documents, a package
 * built from a Dockerfile and its image; backup; wipe (a new data directory, database and results
 * database, the image removed from the engine); restore; compare everything. Real PostgreSQL,
 * FerretDB and Docker; nothing touches the network.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import Docker from "dockerode";
import { BSON, MongoClient } from "mongodb";
import pg from "pg";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { PublishResult, Viewer } from "../types.ts";
import { listFiles } from "./archive.ts";
import type { HubLocation } from "./part.ts";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const docker = new Docker();
const work = mkdtempSync(path.join(tmpdir(), "levhub-backup-it-"));
const archive = path.join(work, "hub.tar");

let hub: TestHub | null = null;
let alice: Viewer;
let cracker: PublishResult;

interface Snapshot {
  rows: Record<string, number>;
  documents: Record<string, string[]>;
  files: Record<string, string>;
  imageId: string;
  runs: Record<string, unknown>;
  index: string[];
}
let before_: Snapshot;

const location = (h: TestHub): HubLocation => ({ dataDir: h.dataDir, databaseUrl: h.databaseUrl, mongoUri: h.mongoUri, docker });

/** Everything the round trip must keep, read straight from the stores. */
async function snapshot(h: TestHub, runIds: string[]): Promise<Snapshot> {
  const client = new pg.Client({ connectionString: h.databaseUrl });
  await client.connect();
  const rows: Record<string, number> = {};
  let index: string[];
  try {
    const tables = (await client.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map((r) => r.t);
    for (const t of tables) rows[t] = Number((await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${t}"`)).rows[0].n);
    // the index as the browser reads it, without what a rebuild renumbers (id) or re-dates (storedAt)
    index = (await client.query<{ r: string }>(`SELECT concat_ws(' ', "coll", "runId", "projectId", "packageId", "versionId", "function", "job", "task", "bytes", "doc"::text) AS r FROM "ResultDocument" ORDER BY 1`)).rows.map((r) => r.r);
  } finally {
    await client.end();
  }
  const mongo = new MongoClient(h.mongoUri);
  await mongo.connect();
  const documents: Record<string, string[]> = {};
  try {
    for (const c of await mongo.db().listCollections({}, { nameOnly: true }).toArray()) {
      const docs = await mongo.db().collection(c.name).find({}).toArray();
      documents[c.name] = docs.map((d) => BSON.EJSON.stringify(d, { relaxed: false })).sort();
    }
  } finally {
    await mongo.close();
  }
  const files: Record<string, string> = {};
  for (const rel of await listFiles(path.join(h.dataDir, "packages"))) files[rel] = createHash("sha256").update(readFileSync(path.join(h.dataDir, "packages", rel))).digest("hex");
  const { getRun } = await import("../runs/index.ts");
  const { runDocumentsPage } = await import("../results/documents.ts");
  const runs: Record<string, unknown> = {};
  for (const id of runIds) {
    const run = await getRun(alice, id);
    const page = await runDocumentsPage(alice, id, { limit: 200 });
    runs[id] = { run, docs: page.items.map(({ id: _id, storedAt: _at, ...d }) => d).sort((a, b) => a.coll.localeCompare(b.coll) || a.task - b.task) };
  }
  const version = (await import("../platform/db.ts")).db().packageVersion;
  const imageId = (await version.findUniqueOrThrow({ where: { id: cracker.versionId } })).imageDigest!;
  return { rows, documents, files, imageId, runs, index };
}

const runIds: string[] = [];

before(async () => {
  hub = await startTestHub();
  await hub.startWorker();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  ({ alice } = await signUpTestUsers());
  const { createProject } = await import("../projects/projects.ts");
  await createProject(alice, { slug: "acme", name: "ACME pentest", description: "", client: "ACME" });
  const { publishDirectory } = await import("../packages/upload.ts");
  cracker = await publishDirectory("system", path.join(REPO, "runner/python/tests/fixtures/compat/wild.cracker"));
  assert.ok(cracker.imageRef, "the Dockerfile was built");
  const { startRun, waitForRun } = await import("../runs/index.ts");
  for (const [argv, project] of [[["--format", "zip"], "acme"], [["--single"], null]] as const) {
    const r = await startRun(alice, { versionId: cracker.versionId, function: "john.raw", args: { argv: [...argv] }, project });
    const done = await waitForRun(alice, r.id);
    assert.equal(done.status, "succeeded", JSON.stringify(done.error));
    runIds.push(r.id);
  }
  // documents of every BSON shape a package may store, beside the runs' own
  const { IndexingResultStore } = await import("../results/indexing-store.ts");
  const { MongoResultStore } = await import("../../runner/src/index.ts");
  const { db } = await import("../platform/db.ts");
  const mongo = await MongoResultStore.connect(hub.mongoUri);
  let seeded: { id: string; number: number };
  try {
    const store = new IndexingResultStore(mongo, { log: () => undefined });
    // run numbers come from the results store's counter, as the hub's own runs' do
    const project = await db().project.findUniqueOrThrow({ where: { personalOwnerId: alice.id } });
    seeded = await db().run.create({
      data: { number: await mongo.nextJob(), ownerId: alice.id, projectId: project.id, versionId: cracker.versionId, function: "john.raw", args: {}, status: "succeeded", startedAt: new Date(), endedAt: new Date(), collections: ["alice|scan@1"] },
    });
    for (let task = 0; task < 30; task++) {
      const doc = { n: task, big: 2 ** 40 + task, f: task + 0.5, at: new Date(Date.UTC(2026, 0, 1, 0, task)), nested: { list: [task, "x", null, { deep: true }] }, "odd key": "é ✓" };
      await store.put("alice|scan@1", seeded.number, task, doc, { owner: "alice", run: seeded.id, job: seeded.number, task, package: "wild.cracker", at: new Date() });
    }
  } finally {
    await mongo.close();
  }
  runIds.push(seeded.id);
});

after(async () => {
  await hub?.close();
  if (cracker?.imageRef) await docker.getImage(cracker.imageRef).remove({ force: true }).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

test("backup, wipe, restore: every table's rows, every document, the files, the image id and a run's page come back", async () => {
  before_ = await snapshot(hub!, runIds);
  assert.ok(before_.index.length >= 32, `the index holds the runs' documents (${before_.index.length})`);
  // the two keys an operator keeps apart: neither may reach an archive
  writeFileSync(path.join(hub!.dataDir, "nextauth-secret"), "the-old-auth-secret", { mode: 0o600 });
  writeFileSync(path.join(hub!.dataDir, "secrets.key"), "the-old-hubs-key\n", { mode: 0o600 });
  const { createBackup } = await import("./backup.ts");
  const manifest = await createBackup(location(hub!), archive);
  assert.equal(manifest.format, 1);
  assert.ok(manifest.entries.every((e) => /^[0-9a-f]{64}$/.test(e.sha256)));
  assert.ok(!manifest.entries.some((e) => /nextauth-secret|secrets\.key|pg-password|\/pg\//.test(e.path)), "no secret and no raw database files");
  assert.equal(manifest.parts.find((p) => p.name === "images")?.counts.images, 1);

  // the wipe: everything of the old hub goes, its image too
  await hub!.close();
  hub = null;
  await docker.getImage(before_.imageId).remove({ force: true });
  assert.equal(await docker.getImage(before_.imageId).inspect().then(() => true, () => false), false);
  hub = await startTestHub({ signUpMode: "fresh" });

  const { restoreBackup } = await import("./restore.ts");
  const report = await restoreBackup(location(hub), archive, { secretsKey: Buffer.from("the-old-hubs-key\n"), authSecret: Buffer.from("the-old-auth-secret") });
  assert.equal(report.reindexed.runs, 3);
  const after_ = await snapshot(hub, runIds);
  assert.deepEqual(after_.rows, before_.rows, "row counts per table");
  assert.deepEqual(after_.documents, before_.documents, "every document, canonical Extended JSON");
  assert.deepEqual(after_.files, before_.files, "package files and archives, by sha256");
  assert.equal(after_.imageId, before_.imageId);
  assert.equal((await docker.getImage(cracker.imageRef!).inspect()).Id, before_.imageId, "the image is back under its id and tag");
  assert.deepEqual(after_.index, before_.index, "the results index rebuilt from the store");
  assert.deepEqual(after_.runs, before_.runs, "run pages and their documents");
  const restoredDir = (await (await import("../platform/db.ts")).db().packageVersion.findUniqueOrThrow({ where: { id: cracker.versionId } })).dir;
  assert.ok(restoredDir.startsWith(hub.dataDir + path.sep) && existsSync(restoredDir), "the version's directory is the new hub's");
  const key = path.join(hub.dataDir, "secrets.key");
  assert.equal(readFileSync(key, "utf8"), "the-old-hubs-key\n");
  assert.equal(statSync(key).mode & 0o777, 0o600);
  assert.equal(readFileSync(path.join(hub.dataDir, "nextauth-secret"), "utf8"), "the-old-auth-secret");

  // the restored hub runs the restored version with the restored image
  await hub.startWorker();
  const { startRun, waitForRun, runDocuments } = await import("../runs/index.ts");
  const again = await startRun(alice, { versionId: cracker.versionId, function: "john.raw", args: { argv: ["--test"] }, project: "acme" });
  const done = await waitForRun(alice, again.id);
  assert.equal(done.status, "succeeded", JSON.stringify(done.error));
  assert.equal(done.tasks[0].resolvedImage, before_.imageId);
  assert.deepEqual((await runDocuments(alice, again.id)).map((d) => d.doc.result), ["--test"]);
});

test("restore refuses a data directory in use and a damaged archive, before writing anything", async () => {
  const { restoreBackup, RestoreRefused } = await import("./restore.ts");
  const target = mkdtempSync(path.join(work, "target-"));
  const loc = { ...location(hub!), dataDir: target };
  writeFileSync(path.join(target, "something"), "x");
  await assert.rejects(restoreBackup(loc, archive), (e: unknown) => e instanceof RestoreRefused && /is not empty \(something\)/.test(e.message));
  rmSync(path.join(target, "something"));

  // one byte of one entry changed: the manifest's sha256 no longer matches
  const damaged = path.join(work, "damaged.tar");
  copyFileSync(archive, damaged);
  const bytes = readFileSync(damaged);
  const at = bytes.indexOf(Buffer.from('"signUpMode"'));
  assert.ok(at > 0, "the settings row is in the archive");
  bytes[at + 2] ^= 0x20;
  writeFileSync(damaged, bytes);
  await assert.rejects(restoreBackup(loc, damaged), /sha256 [0-9a-f]{64}, the manifest says/);
  assert.deepEqual(readdirSync(target), [], "nothing was written");
});
