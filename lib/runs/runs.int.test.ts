import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { findFunction, type Manifest } from "../../runner/src/index.ts";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { RunStreamEvent, Viewer } from "../types.ts";

const HELLO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../examples/levhub.hello");

let hub: TestHub;
let root: Viewer;
let alice: Viewer;
let bob: Viewer;
let versionId: string;
let fnName: string;
let goodArgs: Record<string, unknown>;

before(async () => {
  hub = await startTestHub();
  // runs go through the queue: a worker on this machine's engine takes them
  await hub.startWorker();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  ({ root, alice, bob } = await signUpTestUsers());
  assert.ok(existsSync(HELLO), `${HELLO} exists`);
  const { publishDirectory } = await import("../packages/upload.ts");
  const r = await publishDirectory("system", HELLO);
  versionId = r.versionId;
  const m: Manifest = r.manifest;
  const fn = findFunction(m, "hello") ?? [...m.modes, ...m.tools.flatMap((t) => t.modes)][0];
  assert.ok(fn, "levhub.hello has a mode");
  fnName = fn.qualified;
  goodArgs = Object.fromEntries(fn.params.filter((p) => p.required).map((p) => [p.name, p.holder ?? "x"]));
});
after(async () => {
  await hub?.close();
});

type Rejection = { code?: string; fieldErrors?: Record<string, string> };

test("startRun validates arguments on the server: field errors, no run recorded", async () => {
  const { startRun } = await import("./index.ts");
  const { db } = await import("../platform/db.ts");
  await assert.rejects(startRun(alice, { versionId, function: fnName, args: { ...goodArgs, no_such_param: 1 } }), (e: Rejection) => {
    assert.equal(e.code, "validation");
    assert.match(e.fieldErrors?.["args.no_such_param"] ?? "", /unknown parameter/);
    return true;
  });
  await assert.rejects(startRun(alice, { versionId, function: "no_such_function", args: {} }), (e: Rejection) => e.code === "validation" && Boolean(e.fieldErrors?.function));
  await assert.rejects(startRun(alice, { versionId: "missing", function: fnName, args: {} }), (e: Rejection) => e.code === "not_found");
  // by name, as the API and `lev run` send it: the same checks, the same field names
  await assert.rejects(startRun(alice, { package: "levhub.hello", version: "9.9.9", function: fnName, args: goodArgs }), (e: Rejection) => e.code === "not_found" && Boolean(e.fieldErrors?.version));
  await assert.rejects(startRun(alice, { package: "levhub", function: fnName, args: goodArgs }), (e: Rejection) => e.code === "validation" && Boolean(e.fieldErrors?.package));
  await assert.rejects(startRun(alice, { package: "levhub.hello", function: fnName, args: { ...goodArgs, no_such_param: 1 } }), (e: Rejection) => e.code === "validation" && Boolean(e.fieldErrors?.["args.no_such_param"]));
  await assert.rejects(startRun(alice, { versionId, function: fnName, args: [] as never }), (e: Rejection) => e.code === "validation" && Boolean(e.fieldErrors?.args));
  assert.equal(await db().run.count(), 0);
});

test("a real run of levhub.hello through lib/runs: events, tasks, logs and stored documents", async () => {
  const { startRun, waitForRun, runDocuments, runEvents, listRuns } = await import("./index.ts");
  const started = await startRun(alice, { versionId, function: fnName, args: goodArgs });
  assert.equal(started.owner, "alice");
  const seen: RunStreamEvent["type"][] = [];
  const ac = new AbortController();
  const streamed = (async () => {
    for await (const ev of runEvents(alice, started.id, ac.signal)) seen.push(ev.type);
  })();
  const run = await waitForRun(alice, started.id);
  // the stream ends by itself after its "end" event
  await Promise.race([streamed, new Promise((_, reject) => setTimeout(() => reject(new Error("the event stream did not end within 60 s of the run")), 60_000).unref())]);
  ac.abort();
  assert.equal(run.status, "succeeded", JSON.stringify(run.error));
  assert.ok(run.tasks.length >= 1);
  assert.ok(run.tasks.every((t) => t.status === "succeeded" && t.endedAt));
  assert.ok(run.logs.length >= 1, "log lines were kept");
  assert.equal(seen[0], "snapshot");
  assert.equal(seen.at(-1), "end");
  const docs = await runDocuments(alice, started.id);
  assert.ok(docs.length >= 1, "the run stored a document");
  assert.deepEqual((docs[0].doc._id as { job: number }).job, run.number);
  assert.equal((await listRuns(alice)).total, 1);
});

test("a second user cannot see, cancel or read another user's run; an admin can", async () => {
  const { listRuns, getRun, cancelRun, runDocuments } = await import("./index.ts");
  const [run] = (await listRuns(alice)).items;
  for (const attempt of [getRun(bob, run.id), cancelRun(bob, run.id), runDocuments(bob, run.id)]) {
    await assert.rejects(attempt, (e: Rejection) => e.code === "not_found");
  }
  assert.equal((await listRuns(bob)).total, 0);
  assert.equal((await getRun(root, run.id)).id, run.id);
  assert.equal((await listRuns(root)).total, 1);
  // named by its number (what pages show: `#12`, `12`): the same run, through the same check
  const { runIdOf } = await import("./index.ts");
  for (const ref of [`#${run.number}`, String(run.number)]) {
    assert.equal((await getRun(alice, ref)).id, run.id, ref);
    assert.equal(await runIdOf(root, ref), run.id, ref);
    for (const attempt of [getRun(bob, ref), cancelRun(bob, ref), runDocuments(bob, ref), runIdOf(bob, ref)]) {
      await assert.rejects(attempt, (e: Rejection) => e.code === "not_found", `bob naming ${ref}`);
    }
  }
  await assert.rejects(getRun(alice, `#${run.number + 1000}`), (e: Rejection) => e.code === "not_found");
  await assert.rejects(getRun(alice, "#"), (e: Rejection) => e.code === "not_found");
});

test("the janitor ends runs a hub from before the queue left behind (no worker, no job), with a clear message", async () => {
  const { getRun, HUB_STOPPED } = await import("./index.ts");
  const { janitorPass } = await import("../queue/janitor.ts");
  const { db } = await import("../platform/db.ts");
  const { personalProjectId } = await import("../testing/projects.ts");
  const dead = await db().run.create({
    data: { number: 999_001, ownerId: alice.id, projectId: await personalProjectId(alice.id), versionId, function: fnName, args: {}, status: "running", runnerInstance: "old-host:999999999:dead" },
  });
  await db().task.create({ data: { runId: dead.id, number: 1, image: "x", coll: "c", status: "running", startedAt: new Date() } });
  assert.ok((await janitorPass()).failed >= 1);
  const after = await getRun(alice, dead.id);
  assert.equal(after.status, "failed");
  assert.equal(after.error?.message, HUB_STOPPED);
  assert.ok(after.endedAt);
  // a task still open when its run ends was stopped by that end, whoever ended the run (lib/queue/lifecycle)
  assert.equal(after.tasks[0].status, "cancelled");
  assert.ok(after.tasks[0].endedAt);
});

test("cancelRun stops every container of a long run and records it as cancelled", async () => {
  const { publishArchive } = await import("../packages/upload.ts");
  const { buildZip } = await import("../packages/archives.ts");
  const { packageEntries, sleeperInit } = await import("../testing/packages.ts");
  const { startRun, getRun, cancelRun } = await import("./index.ts");
  const { getEngine } = await import("../platform/engine.ts");
  const pub = await publishArchive(alice, { filename: "sleeper.zip", data: buildZip(packageEntries("alice", "sleeper", "0.1.0", sleeperInit())) });
  const started = await startRun(alice, { versionId: pub.versionId, function: "nap", args: { seconds: "120" } });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await getRun(alice, started.id);
    if (r.tasks.some((t) => t.status === "running")) break;
    assert.ok(["queued", "starting", "running"].includes(r.status), `the run should still be going but is ${r.status}: ${JSON.stringify(r.error)}`);
    assert.ok(Date.now() < deadline, "a task started within 60 s");
    await new Promise((res) => setTimeout(res, 250));
  }
  const t0 = Date.now();
  await cancelRun(alice, started.id);
  assert.ok(Date.now() - t0 < 30_000, "cancel is prompt");
  const r = await getRun(alice, started.id);
  assert.equal(r.status, "cancelled");
  assert.ok(r.endedAt);
  assert.ok(r.tasks.length >= 1 && r.tasks.every((t) => t.endedAt && t.status === "cancelled"), JSON.stringify(r.tasks));
  const left = await getEngine().listManaged([`zone.lev.run=${started.id}`]);
  assert.deepEqual(left.filter((x) => x.kind === "container"), [], "no container of the run is left");
  assert.equal(r.canCancel, false);
});

test("a package with a Dockerfile gets its image built, pinned to the version, and its runs use it", async () => {
  const { publishArchive } = await import("../packages/upload.ts");
  const { buildZip } = await import("../packages/archives.ts");
  const { imagedEntries } = await import("../testing/packages.ts");
  const { startRun, waitForRun, runDocuments } = await import("./index.ts");
  const { db } = await import("../platform/db.ts");
  const pub = await publishArchive(alice, { filename: "imaged.zip", data: buildZip(imagedEntries("alice", "0.1.0", "first-build")) });
  assert.ok(pub.imageRef, "an image was built");
  const version = await db().packageVersion.findUniqueOrThrow({ where: { id: pub.versionId } });
  assert.match(version.imageDigest ?? "", /^sha256:[0-9a-f]{64}$/);
  assert.match(version.buildLog ?? "", /marker\.txt/);
  const started = await startRun(alice, { versionId: pub.versionId, function: "marker", args: {} });
  const run = await waitForRun(alice, started.id);
  assert.equal(run.status, "succeeded", JSON.stringify(run.error));
  const docs = await runDocuments(alice, started.id);
  assert.equal(docs.find((d) => d.task === 1)?.doc.marker, "first-build");
  // a Dockerfile that fails to build: rejected with its log, nothing stored
  const broken = buildZip(imagedEntries("alice", "0.2.0", "x").map((e) => (e.name.endsWith("Dockerfile") ? { ...e, data: "FROM levhub/python:bookworm\nRUN exit 3\n" } : e)));
  await assert.rejects(publishArchive(alice, { filename: "imaged.zip", data: broken }), (e: Rejection & { details?: string[] }) => e.code === "validation" && /did not build/.test(String((e as { message?: string }).message)));
  assert.equal(await db().packageVersion.count({ where: { package: { name: "imaged" } } }), 1);
  const { getEngine } = await import("../platform/engine.ts");
  await getEngine().docker.getImage(version.imageDigest!).remove({ force: true });
});
