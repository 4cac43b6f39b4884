/**
 * A project's authorised window, at every point a run meets it: at submit (refused, nothing made),
 * at claim (a queued run whose window closed, or is not open yet, is ended OutsideWindow through
 * the lifecycle and never handed to the worker), while running (the janitor ends it and the
 * worker's next heartbeat tells it to stop), and when a saved scan fires (it skips with the reason
 * and stays on). Real PostgreSQL and pg-boss; the worker is a registration row, no Docker runs.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { findFunction, type Manifest } from "../../runner/src/index.ts";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { WorkerCaller } from "../access/access.ts";
import type { Viewer } from "../types.ts";

const HELLO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../examples/levhub.hello");

let hub: TestHub;
let alice: Viewer;
let versionId: string;
let fnName: string;
let goodArgs: Record<string, unknown>;
let caller: WorkerCaller;
let instance: string;

const HOUR = 3600_000;
type Rejection = { code?: string; message?: string; fieldErrors?: Record<string, string> };

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  ({ alice } = await signUpTestUsers());
  const { publishDirectory } = await import("../packages/upload.ts");
  const published = await publishDirectory("system", HELLO);
  versionId = published.versionId;
  const m: Manifest = published.manifest;
  const fn = findFunction(m, "hello") ?? [...m.modes, ...m.tools.flatMap((t) => t.modes)][0];
  fnName = fn.qualified;
  goodArgs = Object.fromEntries(fn.params.filter((p) => p.required).map((p) => [p.name, p.holder ?? "x"]));
  const { teamProject } = await import("../testing/projects.ts");
  await teamProject(alice, "engagement");
  // a worker that registers like any other, so claims and heartbeats are the real ones
  const { createWorkerCredential } = await import("../queue/credentials.ts");
  const { workerFromToken } = await import("../queue/credentials.ts");
  const { registerWorker } = await import("../queue/workers.ts");
  const { token } = await createWorkerCredential(null, "window-test");
  caller = (await workerFromToken(token))!;
  const { PROTOCOL_VERSION } = await import("../../runner/worker/protocol.ts");
  instance = (await registerWorker(caller, { protocol: PROTOCOL_VERSION, name: "window-test", capacity: 8, labels: { hostNetwork: true }, version: "test", engine: { host: "none", version: "0" } })).instance;
});

after(async () => {
  await hub?.close();
});

async function setWindow(start: Date | null, end: Date | null) {
  const { db } = await import("../platform/db.ts");
  await db().project.update({ where: { slug: "engagement" }, data: { windowStart: start, windowEnd: end } });
}

const start = () => import("../runs/index.ts").then((r) => r.startRun(alice, { versionId, function: fnName, args: goodArgs, project: "engagement" }));

async function claimAll(): Promise<string[]> {
  const { CLAIM_BUSY, claimRuns } = await import("../worker/claim.ts");
  const { stillLive } = await import("../queue/workers.ts");
  const taken = await claimRuns(await stillLive(caller, instance), 8);
  // nothing else claims in this test: the claim lock is never busy
  assert.notEqual(taken, CLAIM_BUSY);
  return taken as string[];
}

test("at submit: outside the window (before it opens, after it closed) nothing is made and the refusal names the window", async () => {
  const { db } = await import("../platform/db.ts");
  const before = await db().run.count();
  const now = Date.now();
  await setWindow(new Date(now + HOUR), new Date(now + 2 * HOUR));
  await assert.rejects(start(), (e: Rejection) => e.code === "validation" && /window opens at/.test(e.message ?? "") && Boolean(e.fieldErrors?.project));
  await setWindow(new Date(now - 2 * HOUR), new Date(now - HOUR));
  await assert.rejects(start(), (e: Rejection) => e.code === "validation" && /engagement's authorised window closed at/.test(e.message ?? ""));
  assert.equal(await db().run.count(), before, "no run was made");
  await setWindow(new Date(now - HOUR), new Date(now + HOUR));
  const ok = await start();
  assert.equal(ok.status, "queued");
  assert.deepEqual(await claimAll(), [ok.id], "inside the window a worker takes it");
});

test("at claim: a queued run whose window closed meanwhile, or is not open yet, ends OutsideWindow and is never handed out", async () => {
  const { getRun } = await import("../runs/index.ts");
  const { db } = await import("../platform/db.ts");
  await setWindow(null, null);
  const [a, b] = [await start(), await start()];
  const closedAt = new Date(Date.now() - 1000);
  await setWindow(null, closedAt);
  assert.deepEqual(await claimAll(), []);
  for (const id of [a.id, b.id]) {
    const r = await getRun(alice, id);
    assert.equal(r.status, "failed");
    assert.equal(r.error?.type, "OutsideWindow");
    assert.match(r.error?.message ?? "", /^not started: project engagement's authorised window closed at /);
    const jobs = await db().$queryRawUnsafe<{ state: string }[]>(`SELECT state::text FROM pgboss.job WHERE data->>'runId' = $1`, id);
    assert.deepEqual(jobs.map((j) => j.state), ["failed"], "its job is settled with the run");
  }
  // an owner moved the window to tomorrow: a run queued before is not started today
  await setWindow(null, null);
  const c = await start();
  await setWindow(new Date(Date.now() + 24 * HOUR), null);
  assert.deepEqual(await claimAll(), []);
  assert.match((await getRun(alice, c.id)).error?.message ?? "", /^not started: project engagement's authorised window opens at /);
});

test("while running: the janitor stops a held run once the window closes, and the worker is told to stop it", async () => {
  const { getRun } = await import("../runs/index.ts");
  const { janitorPass } = await import("../queue/janitor.ts");
  const { admitRequest, heartbeat } = await import("../queue/workers.ts");
  await setWindow(null, new Date(Date.now() + HOUR));
  const r = await start();
  assert.deepEqual(await claimAll(), [r.id]);
  assert.equal((await getRun(alice, r.id)).status, "starting");
  // the window has not closed: the janitor leaves it alone
  await janitorPass(new Date());
  assert.equal((await getRun(alice, r.id)).status, "starting");
  const closedAt = new Date(Date.now() - 1000);
  await setWindow(null, closedAt);
  await janitorPass(new Date());
  const ended = await getRun(alice, r.id);
  assert.equal(ended.status, "failed");
  assert.equal(ended.error?.type, "OutsideWindow");
  assert.equal(ended.error?.message, `stopped: project engagement's authorised window closed at ${closedAt.toISOString()} (until ${closedAt.toISOString().slice(0, 16).replace("T", " ")} UTC)`);
  // a worker numbers every request it sends (admitted once per instance)
  const beat = await heartbeat(await admitRequest({ ...caller, requestSeq: 1 }, instance), { instance, running: [r.id] });
  assert.deepEqual(beat.ended, [r.id], "the worker learns the run ended and stops its containers");
});

test("a scheduled scan outside the window skips with the reason on the scan and stays enabled; inside it, it fires", async () => {
  const { createScan, getScan } = await import("../scans/scans.ts");
  const { fireDueScans } = await import("../scans/fire.ts");
  const { db } = await import("../platform/db.ts");
  await setWindow(null, null);
  const s = await createScan(alice, { name: "hourly", project: "engagement", package: "levhub.hello", function: fnName, args: goodArgs, cron: "0 * * * *" });
  await setWindow(null, new Date(Date.now() - 1000));
  await db().savedScan.update({ where: { id: s.id }, data: { nextRunAt: new Date(Date.now() - 60_000) } });
  const now = new Date();
  assert.deepEqual(await fireDueScans(now), { started: 0, failed: 0, skipped: 1, disabled: 0 });
  const skipped = await getScan(alice, s.id);
  assert.equal(skipped.enabled, true);
  assert.match(skipped.lastError?.message ?? "", /engagement's authorised window closed at/);
  assert.ok(skipped.nextRunAt && new Date(skipped.nextRunAt) > now, "the next time moved on");
  assert.equal(skipped.runs.length, 0);
  await setWindow(null, null);
  await db().savedScan.update({ where: { id: s.id }, data: { nextRunAt: new Date(Date.now() - 60_000) } });
  assert.deepEqual(await fireDueScans(new Date()), { started: 1, failed: 0, skipped: 0, disabled: 0 });
  assert.equal((await getScan(alice, s.id)).lastError, null);
});
