/**
 * Retention on a real hub (PostgreSQL, FerretDB): the dry run lists exactly what applying
 * deletes; the results store and its index lose a run's documents together; a run whose
 * documents something cites is kept with the reason; a deleted version's row goes once unused;
 * old image tars and audit rows go; the deletion is audited with its counts.
 */
import assert from "node:assert/strict";
import { mkdirSync, existsSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { MongoResultStore } from "../../runner/src/index.ts";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { Viewer } from "../types.ts";

let hub: TestHub;
let mongo: MongoResultStore;
let alice: Viewer;
const now = new Date("2026-12-07T12:00:00Z");
const daysAgo = (d: number) => new Date(now.getTime() - d * 24 * 3600_000);
const runs: Record<string, { id: string; number: number }> = {};
const COLL = "alice|retention@1";
let deletedVersionId: string;
let tar: { old: string; fresh: string };

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  ({ alice } = await signUpTestUsers());
  const { seedPackage } = await import("../results/testing.ts");
  const { db } = await import("../platform/db.ts");
  const pkg = await seedPackage(alice.id);
  mongo = await MongoResultStore.connect(hub.mongoUri);
  const { IndexingResultStore } = await import("../results/indexing-store.ts");
  const store = new IndexingResultStore(mongo, { log: () => undefined });
  const project = await db().project.findUniqueOrThrow({ where: { personalOwnerId: alice.id } });
  // ancient: the run goes; old: only its documents and logs; cited: as old as ancient, but kept; fresh: untouched
  for (const [name, age] of [["ancient", 100], ["old", 40], ["cited", 100], ["fresh", 2]] as const) {
    const at = daysAgo(age);
    const run = await db().run.create({
      data: { number: await mongo.nextJob(), ownerId: alice.id, projectId: project.id, versionId: pkg.versionId, function: "scan.ports", args: {}, status: "succeeded", createdAt: at, startedAt: at, endedAt: at, collections: [COLL] },
    });
    runs[name] = run;
    for (let task = 0; task < 3; task++) await store.put(COLL, run.number, task, { port: 20 + task, run: name }, { owner: "alice", run: run.id, job: run.number, task, package: pkg.fullName, at });
    await db().runLog.createMany({ data: [0, 1].map((seq) => ({ runId: run.id, seq, task: 0, stream: "stdout", line: `${name} ${seq}`, at })) });
  }
  // a run still running is never touched, however old
  const running = await db().run.create({ data: { number: await mongo.nextJob(), ownerId: alice.id, projectId: project.id, versionId: pkg.versionId, function: "scan.ports", args: {}, status: "running", createdAt: daysAgo(200), startedAt: daysAgo(200) } });
  runs.running = running;
  const gone = await db().packageVersion.create({ data: { packageId: pkg.packageId, version: "0.9.0", manifest: {}, dir: "/nonexistent", deletedAt: daysAgo(60) } });
  deletedVersionId = gone.id;
  await db().packageVersion.create({ data: { packageId: pkg.packageId, version: "0.8.0", manifest: {}, dir: "/nonexistent", deletedAt: daysAgo(5) } });
  await db().auditEvent.createMany({ data: [{ action: "old.thing", createdAt: daysAgo(400) }, { action: "new.thing", createdAt: daysAgo(1) }] });
  const { imagesDir } = await import("../worker/worker-files.ts");
  mkdirSync(imagesDir(), { recursive: true });
  tar = { old: path.join(imagesDir(), `${"a".repeat(64)}.tar`), fresh: path.join(imagesDir(), `${"b".repeat(64)}.tar`) };
  writeFileSync(tar.old, "x");
  writeFileSync(tar.fresh, "y");
  utimesSync(tar.old, daysAgo(20), daysAgo(20));
  utimesSync(tar.fresh, daysAgo(1), daysAgo(1));
  const { updateSettings } = await import("../platform/settings.ts");
  await updateSettings({ retention: { runs: 90, logs: 30, documents: 30, imageTars: 14, deletedVersions: 30, audit: 365 } });
  const { RUN_KEEPERS } = await import("./retention.ts");
  RUN_KEEPERS.push({ reason: "an open finding cites its documents", runIds: async () => new Set([runs.cited.id]) });
});

after(async () => {
  await mongo?.close();
  await hub?.close();
});

async function state() {
  const { db } = await import("../platform/db.ts");
  const out: Record<string, unknown> = {};
  for (const [name, run] of Object.entries(runs)) {
    out[name] = {
      run: Boolean(await db().run.findUnique({ where: { id: run.id } })),
      store: (await mongo.findRun(COLL, run.number)).length,
      index: await db().resultDocument.count({ where: { runId: run.id } }),
      logs: await db().runLog.count({ where: { runId: run.id } }),
    };
  }
  const coll = await db().resultCollection.findMany({ where: { coll: COLL } });
  return { runs: out, collection: coll.map((c) => Number(c.documents)), audit: (await db().auditEvent.findMany({ where: { action: { in: ["old.thing", "new.thing", "retention.apply"] } }, select: { action: true } })).map((a) => a.action).sort() };
}

test("the dry run says exactly what applying deletes, and deletes nothing", async () => {
  const { retentionPlan } = await import("./retention.ts");
  const before_ = await state();
  const plan = await retentionPlan(now);
  assert.deepEqual(
    Object.fromEntries(Object.entries(plan.kinds).map(([k, v]) => [k, v.count])),
    { runs: 1, logs: 6, documents: 6, imageTars: 1, deletedVersions: 1, audit: 1 },
  );
  assert.equal(plan.kinds.runs.oldest, daysAgo(100).toISOString());
  assert.equal(plan.kinds.audit.oldest, daysAgo(400).toISOString());
  assert.deepEqual(plan.kept, [{ runs: 1, reason: "an open finding cites its documents" }]);
  assert.deepEqual(await state(), before_, "a dry run changes nothing");
  assert.ok(existsSync(tar.old));
});

test("applying deletes the store's documents and their index together, keeps what is cited, and is audited", async () => {
  const { applyRetention } = await import("./retention.ts");
  const { deleted } = await applyRetention(alice.id, now);
  assert.deepEqual(deleted, { runs: 1, logs: 6, documents: 6, imageTars: 1, deletedVersions: 1, audit: 1 });
  const after_ = await state();
  assert.deepEqual(after_.runs, {
    ancient: { run: false, store: 0, index: 0, logs: 0 },
    old: { run: true, store: 0, index: 0, logs: 0 },
    cited: { run: true, store: 3, index: 3, logs: 0 },
    fresh: { run: true, store: 3, index: 3, logs: 2 },
    running: { run: true, store: 0, index: 0, logs: 0 },
  });
  assert.deepEqual(after_.collection, [6], "the collection's count follows");
  assert.deepEqual(after_.audit, ["new.thing", "retention.apply"]);
  const { db } = await import("../platform/db.ts");
  assert.equal(await db().packageVersion.findUnique({ where: { id: deletedVersionId } }), null);
  assert.equal(await db().packageVersion.count({ where: { deletedAt: { not: null } } }), 1, "the recently deleted version stays");
  assert.equal(existsSync(tar.old), false);
  assert.equal(existsSync(tar.fresh), true);
  const event = await db().auditEvent.findFirstOrThrow({ where: { action: "retention.apply" } });
  assert.deepEqual((event.data as { deleted: unknown }).deleted, deleted);
  assert.equal(event.actorId, alice.id);
  // applying again finds nothing more
  assert.deepEqual(Object.values((await applyRetention(alice.id, now)).deleted), [0, 0, 0, 0, 0, 0]);
});
