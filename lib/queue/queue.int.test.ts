/**
 * The hub's side of the run queue, driven over HTTP exactly as a worker would (no real worker: the
 * test speaks the protocol itself, so every answer can be checked): submission is one transaction,
 * the limits hold, a queued run cancels at once, events apply once and in order, a lost instance's
 * runs end WorkerLost (or go again where the function opts in), and credentials stay in their lane.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { findFunction } from "../../runner/src/index.ts";
import { PROTOCOL_VERSION, type PollResponse, type RegisterResponse } from "../../runner/worker/protocol.ts";
import { callRoute, callWorkerRoute, serveRoutes, workerHeaders, type RouteServer } from "../testing/route-server.ts";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { Viewer } from "../types.ts";

const HELLO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../examples/levhub.hello");

let hub: TestHub;
let routes: RouteServer;
let alice: Viewer;
let bob: Viewer;
let versionId: string;
let fnName: string;
let args: Record<string, unknown>;

before(async () => {
  process.env.LEVHUB_WORKER_HEARTBEAT_MS = "300";
  hub = await startTestHub();
  routes = await serveRoutes();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  ({ alice, bob } = await signUpTestUsers());
  const { publishDirectory } = await import("../packages/upload.ts");
  const r = await publishDirectory("system", HELLO);
  versionId = r.versionId;
  const fn = findFunction(r.manifest, "hello") ?? [...r.manifest.modes, ...r.manifest.tools.flatMap((t) => t.modes)][0];
  fnName = fn.qualified;
  args = Object.fromEntries(fn.params.filter((p) => p.required).map((p) => [p.name, p.holder ?? "x"]));
});
after(async () => {
  await routes?.close();
  await hub?.close();
});

const call = <T>(token: string, method: string, route: string, body?: unknown) => callRoute<T>(routes.url, token, method, route, body);
/** a request of a hand-driven worker: with the next request sequence number */
const work = <T>(token: string, method: string, route: string, body?: unknown) => callWorkerRoute<T>(routes.url, token, method, route, body);

async function newWorker(name: string, capacity = 8, labels: Record<string, boolean> = { hostNetwork: false }) {
  const { createWorkerCredential } = await import("./credentials.ts");
  const { token } = await createWorkerCredential(null, name);
  const reg = await work<RegisterResponse>(token, "POST", "/api/worker/register", {
    protocol: PROTOCOL_VERSION,
    name,
    version: "test",
    engine: { host: "unix:///nowhere", version: "0" },
    capacity,
    labels,
  });
  assert.equal(reg.status, 201, JSON.stringify(reg.json));
  const poll = async (free: number) => {
    const r = await work<PollResponse>(token, "POST", "/api/worker/poll", { instance: reg.json.instance, free, waitMs: 0 });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    return r.json;
  };
  return { token, instance: reg.json.instance, poll };
}

async function setLimits(totalRuns: number, perUserRuns: number) {
  const { updateSettings } = await import("../platform/settings.ts");
  await updateSettings({ queue: { totalRuns, perUserRuns } });
}

/** Ends every run still going and every worker of earlier tests, so each test starts from an idle hub. */
async function drain() {
  const { db } = await import("../platform/db.ts");
  await db().worker.updateMany({ where: { state: "online" }, data: { state: "stopped" } });
  await db().run.updateMany({ where: { status: { in: ["queued", "starting", "running"] } }, data: { status: "cancelled", endedAt: new Date() } });
  const { getBoss, RUN_QUEUES } = await import("./boss.ts");
  const boss = await getBoss();
  for (const q of RUN_QUEUES) await boss.deleteAllJobs(q);
}

test("submission is one transaction: a database connection that dies in between leaves no run and no job, with a clear error", async () => {
  const { startRun } = await import("../runs/index.ts");
  const { db } = await import("../platform/db.ts");
  await (await import("./boss.ts")).getBoss(); // its schema installed
  // the connection dies exactly when the job is written, after the Run row was
  await db().$executeRawUnsafe(`CREATE OR REPLACE FUNCTION pg_temp_kill() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$`);
  await db().$executeRawUnsafe(`CREATE TRIGGER kill_on_send BEFORE INSERT ON pgboss.job FOR EACH ROW EXECUTE FUNCTION pg_temp_kill()`);
  try {
    await assert.rejects(startRun(alice, { versionId, function: fnName, args }), (e: { code?: string; message?: string }) => {
      assert.equal(e.code, "unavailable", String(e.message));
      assert.match(e.message ?? "", /no run was started/);
      return true;
    });
  } finally {
    await db().$executeRawUnsafe(`DROP TRIGGER kill_on_send ON pgboss.job`);
    await db().$executeRawUnsafe(`DROP FUNCTION pg_temp_kill()`);
  }
  assert.equal(await db().run.count(), 0, "no Run row");
  const [{ n }] = await db().$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM pgboss.job WHERE name LIKE 'levhub-run%'`);
  assert.equal(Number(n), 0, "no job");
});

test("a database that does not answer at all: unavailable, nothing made", async () => {
  const { startRun } = await import("../runs/index.ts");
  const { disconnectDb, db } = await import("../platform/db.ts");
  const good = process.env.DATABASE_URL!;
  await disconnectDb();
  // the server's unix socket is not there: what a stopped PostgreSQL leaves
  const nowhere = new URL(good);
  nowhere.searchParams.set("host", path.join(hub.dataDir, "no-such-socket-dir"));
  process.env.DATABASE_URL = nowhere.toString();
  try {
    await assert.rejects(startRun(alice, { versionId, function: fnName, args }), (e: { code?: string }) => e.code === "unavailable");
  } finally {
    await disconnectDb();
    process.env.DATABASE_URL = good;
  }
  assert.equal(await db().run.count(), 0);
});

test("per-user limit: 6 runs of one user with perUserRuns 2 → 2 claimed, 4 queued in positions 1..4; a queued run cancels at once", async () => {
  await drain();
  await setLimits(16, 2);
  const { startRun, getRun, listRuns, cancelRun } = await import("../runs/index.ts");
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) ids.push((await startRun(alice, { versionId, function: fnName, args })).id);
  const w = await newWorker("limits-1");
  const got = await w.poll(8);
  assert.deepEqual(got.assign.map((a) => a.runId), ids.slice(0, 2), "the first two, in submission order");
  assert.equal(got.assign[0].owner, "alice");
  assert.match(got.assign[0].package.sha256, /^[0-9a-f]{64}$/);
  assert.equal((await w.poll(8)).assign.length, 0, "alice is at her limit");
  const listed = (await listRuns(alice, { pageSize: 10 })).items;
  const pos = Object.fromEntries(listed.map((r) => [r.id, r.queuePosition]));
  assert.deepEqual(ids.map((id) => pos[id]), [null, null, 1, 2, 3, 4]);
  assert.equal((await getRun(alice, ids[0])).status, "starting");
  assert.equal((await getRun(alice, ids[0])).worker, "limits-1");
  // a queued run: cancelled at once, its job with it, and those behind it move up
  await cancelRun(alice, ids[3]);
  const cancelled = await getRun(alice, ids[3]);
  assert.equal(cancelled.status, "cancelled");
  assert.equal(cancelled.error?.type, "Cancelled");
  const { db } = await import("../platform/db.ts");
  const jobId = (await db().run.findUniqueOrThrow({ where: { id: ids[3] } })).jobId;
  const [job] = await db().$queryRawUnsafe<{ state: string }[]>(`SELECT state::text FROM pgboss.job WHERE id = $1::uuid`, jobId);
  assert.equal(job.state, "cancelled");
  assert.deepEqual(await Promise.all([ids[2], ids[4], ids[5]].map(async (id) => (await getRun(alice, id)).queuePosition)), [1, 2, 3]);
  // another user is not held back by alice's limit
  const b = await startRun(bob, { versionId, function: fnName, args });
  assert.deepEqual((await w.poll(8)).assign.map((a) => a.runId), [b.id]);
});

test("total limit and worker capacity: nothing past either", async () => {
  await drain();
  await setLimits(3, 10);
  const { startRun } = await import("../runs/index.ts");
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await startRun(i % 2 ? bob : alice, { versionId, function: fnName, args })).id);
  const small = await newWorker("cap-1", 1);
  assert.equal((await small.poll(5)).assign.length, 1, "capacity 1 (it asked for 5)");
  assert.equal((await small.poll(5)).assign.length, 0, "its one slot is taken");
  const big = await newWorker("cap-2", 8);
  assert.equal((await big.poll(8)).assign.length, 2, "the total limit 3 leaves 2");
  assert.equal((await big.poll(8)).assign.length, 0);
  const { db } = await import("../platform/db.ts");
  const rows = await db().run.findMany({ where: { id: { in: ids } }, select: { status: true } });
  assert.deepEqual(rows.map((r) => r.status).sort(), ["queued", "queued", "starting", "starting", "starting"]);
});

test("events: applied once and in order, a gap waits, a finished run accepts nothing more; another worker gets 404", async () => {
  await drain();
  await setLimits(16, 16);
  const { startRun, getRun } = await import("../runs/index.ts");
  const { db } = await import("../platform/db.ts");
  const run = await startRun(alice, { versionId, function: fnName, args });
  const w = await newWorker("events-1");
  assert.deepEqual((await w.poll(1)).assign.map((a) => a.runId), [run.id]);
  const at = new Date().toISOString();
  const task = { number: 1, image: "levhub/python:bookworm", schema: "s", coll: "c|s", host: "t1", status: "running", exitCode: null, startedAt: at, endedAt: null, error: null, stored: false };
  const log = (line: string) => ({ type: "log", log: { task: 1, stream: "stdout", line, at } });
  const send = (events: { seq: number; event: unknown }[], token = w.token, instance = w.instance) =>
    work<{ acked: number; cancel?: string }>(token, "POST", `/api/worker/runs/${run.id}/events`, { instance, events });
  const first = [
    { seq: 1, event: { type: "run.started", at } },
    { seq: 2, event: { type: "task.started", task } },
    { seq: 3, event: log("one") },
  ];
  assert.deepEqual((await send(first)).json, { acked: 3 });
  assert.deepEqual((await send(first)).json, { acked: 3 }, "a resent batch changes nothing");
  assert.deepEqual((await send([{ seq: 5, event: log("three") }])).json, { acked: 3 }, "a gap: nothing applied");
  assert.deepEqual((await send([{ seq: 5, event: log("three") }, { seq: 4, event: log("two") }])).json, { acked: 5 }, "out of order in a batch: applied in seq order");
  let r = await getRun(alice, run.id);
  assert.equal(r.status, "running");
  assert.deepEqual(r.logs.map((l) => [l.seq, l.line]), [[1, "one"], [2, "two"], [3, "three"]]);
  assert.equal(r.tasks[0].status, "running");
  // someone else's worker: the run does not exist for it
  const other = await newWorker("events-2");
  assert.equal((await send([{ seq: 6, event: log("evil") }], other.token, other.instance)).status, 404);
  assert.equal((await send([{ seq: 6, event: log("evil") }], other.token, w.instance)).status, 404, "an instance of another credential");
  assert.equal((await work(other.token, "POST", `/api/worker/runs/${run.id}/store`, { instance: other.instance, op: "findRun", coll: "c|s" })).status, 404);
  const finished = { ...task, status: "succeeded", exitCode: 0, endedAt: at, stored: true };
  assert.deepEqual(
    (await send([{ seq: 6, event: { type: "run.finished", status: "succeeded", error: null, exitCode: 0, tasks: [finished], collections: ["c|s", "_levhub_jobs"], startedAt: at, endedAt: at } }])).json,
    { acked: 6 },
  );
  r = await getRun(alice, run.id);
  assert.equal(r.status, "succeeded");
  assert.deepEqual(r.collections, ["c|s"], "the hub's own collections are never a run's");
  const after = await send([{ seq: 7, event: { type: "run.started", at } }, { seq: 8, event: log("late") }]);
  assert.equal(after.json.acked, 8);
  assert.equal((await getRun(alice, run.id)).status, "succeeded");
  assert.equal(await db().runLog.count({ where: { runId: run.id } }), 3, "nothing recorded after the end");
  const row = await db().run.findUniqueOrThrow({ where: { id: run.id } });
  const [job] = await db().$queryRawUnsafe<{ state: string }[]>(`SELECT state::text FROM pgboss.job WHERE id = $1::uuid`, row.jobId);
  assert.equal(job.state, "completed");
});

test("a worker's times PostgreSQL could not store stand as the hub's own; an exit code past its integer is a 422 that writes nothing", async () => {
  await drain();
  await setLimits(16, 16);
  const { startRun, getRun } = await import("../runs/index.ts");
  const run = await startRun(alice, { versionId, function: fnName, args });
  const w = await newWorker("events-times");
  assert.deepEqual((await w.poll(1)).assign.map((a) => a.runId), [run.id]);
  const send = (events: { seq: number; event: unknown }[]) => work<{ acked: number }>(w.token, "POST", `/api/worker/runs/${run.id}/events`, { instance: w.instance, events });
  const before = Date.now();
  // JavaScript's first day and a year PostgreSQL's timestamp cannot hold: valid ISO texts all the same
  const task = { number: 1, image: "i", schema: "s", coll: "c|s", host: "t1", status: "running", exitCode: null, startedAt: "-271821-04-20T00:00:00.000Z", endedAt: null, error: null, stored: false };
  const huge = await send([{ seq: 1, event: { type: "task.started", task: { ...task, exitCode: 2 ** 31 } } }]);
  assert.equal(huge.status, 422);
  assert.deepEqual((await getRun(alice, run.id)).tasks, [], "nothing written");
  assert.deepEqual((await send([{ seq: 1, event: { type: "run.started", at: "+275760-09-13T00:00:00.000Z" } }, { seq: 2, event: { type: "task.started", task } }])).json, { acked: 2 });
  const r = await getRun(alice, run.id);
  assert.equal(r.status, "running");
  const started = new Date(r.tasks[0].startedAt).getTime();
  assert.ok(started >= before - 1000 && started <= Date.now() + 1000, `the hub's time stands: ${r.tasks[0].startedAt}`);
});

test("credentials stay in their lane: user tokens 401 on worker routes, worker tokens 401 on user routes, a revoked credential 401 at once", async () => {
  const { createToken } = await import("../accounts/tokens.ts");
  const { token: userToken } = await createToken(alice, { name: "cli" });
  const w = await newWorker("lane-1");
  assert.equal((await work(userToken, "POST", "/api/worker/poll", { instance: w.instance, free: 1, waitMs: 0 })).status, 401);
  assert.equal((await work(userToken, "POST", "/api/worker/register", {})).status, 401);
  assert.equal((await call(w.token, "GET", "/api/runs")).status, 401);
  const res = await fetch(`${routes.url}/api/worker/poll`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  assert.equal(res.status, 401, "anonymous");
  const { revokeWorkerCredential } = await import("./credentials.ts");
  const { db } = await import("../platform/db.ts");
  const cred = await db().worker.findUniqueOrThrow({ where: { instance: w.instance } });
  await revokeWorkerCredential(bob.id, cred.credentialId);
  assert.equal((await work(w.token, "POST", "/api/worker/heartbeat", { instance: w.instance, running: [] })).status, 401);
});

test("a lost instance's runs end WorkerLost; a function that opts into retries goes again, at most retries + 1 attempts", async () => {
  await drain();
  await setLimits(16, 16);
  const { startRun, getRun } = await import("../runs/index.ts");
  const { janitorPass } = await import("./janitor.ts");
  const { db } = await import("../platform/db.ts");
  const plain = await startRun(alice, { versionId, function: fnName, args });
  const w = await newWorker("lost-1");
  assert.deepEqual((await w.poll(1)).assign.map((a) => a.runId), [plain.id]);
  // three heartbeats (300 ms each) go by without a word from it
  await new Promise((r) => setTimeout(r, 1000));
  assert.deepEqual(await janitorPass(), { lost: 1, failed: 1, requeued: 0, expired: 0 });
  const r = await getRun(alice, plain.id);
  assert.equal(r.status, "failed");
  assert.equal(r.error?.type, "WorkerLost");
  assert.match(r.error?.message ?? "", /^worker lost-1 stopped answering at \d{4}-/);
  assert.equal((await work(w.token, "POST", "/api/worker/heartbeat", { instance: w.instance, running: [plain.id] })).status, 410, "the lost instance must register again");
  assert.deepEqual(await janitorPass(), { lost: 0, failed: 0, requeued: 0, expired: 0 }, "idempotent");

  // the same function, opted into one retry
  const version = await db().packageVersion.findUniqueOrThrow({ where: { id: versionId } });
  const manifest = JSON.parse(JSON.stringify(version.manifest)) as { modes: { qualified: string; retries?: number }[]; tools: { modes: { qualified: string; retries?: number }[] }[] };
  for (const f of [...manifest.modes, ...manifest.tools.flatMap((t) => t.modes)]) if (f.qualified === fnName) f.retries = 1;
  await db().packageVersion.update({ where: { id: versionId }, data: { manifest } });
  try {
    const retried = await startRun(alice, { versionId, function: fnName, args });
    const w2 = await newWorker("lost-2");
    const [first] = (await w2.poll(1)).assign;
    assert.equal(first.attempt, 1);
    await new Promise((res) => setTimeout(res, 1000));
    assert.deepEqual(await janitorPass(), { lost: 1, failed: 0, requeued: 1, expired: 0 });
    assert.equal((await getRun(alice, retried.id)).status, "queued");
    const w3 = await newWorker("lost-3");
    const [second] = (await w3.poll(1)).assign;
    assert.equal(second.runId, retried.id);
    assert.equal(second.attempt, 2);
    await new Promise((res) => setTimeout(res, 1000));
    assert.deepEqual(await janitorPass(), { lost: 1, failed: 1, requeued: 0, expired: 0 });
    const end = await getRun(alice, retried.id);
    assert.equal(end.status, "failed");
    assert.equal(end.error?.type, "WorkerLost");
    assert.ok(end.logs.some((l) => /attempt 2/.test(l.line)), "the retry is in the run's log");
  } finally {
    await db().packageVersion.update({ where: { id: versionId }, data: { manifest: version.manifest as object } });
  }
});

test("files and images: only for runs the worker holds; the archive's bytes match the sha256 it was named by", async () => {
  await drain();
  await setLimits(16, 16);
  const { startRun } = await import("../runs/index.ts");
  const { createHash } = await import("node:crypto");
  const w = await newWorker("files-1");
  const other = await newWorker("files-2");
  const run = await startRun(alice, { versionId, function: fnName, args });
  const [a] = (await w.poll(1)).assign;
  assert.equal(a.runId, run.id);
  const get = (worker: { token: string; instance: string }, route: string) =>
    fetch(`${routes.url}${route}`, { headers: { authorization: `Bearer ${worker.token}`, ...workerHeaders(worker.instance) } });
  const res = await get(w, `/api/worker/packages/${a.package.sha256}`);
  assert.equal(res.status, 200);
  assert.equal(createHash("sha256").update(Buffer.from(await res.arrayBuffer())).digest("hex"), a.package.sha256);
  assert.equal((await get(other, `/api/worker/packages/${a.package.sha256}`)).status, 404, "a worker holding no run of it");
  assert.equal((await get(w, `/api/worker/packages/${"ab".repeat(32)}`)).status, 404);
  const anonymous = await fetch(`${routes.url}/api/worker/packages/${a.package.sha256}`, { headers: { authorization: `Bearer ${w.token}`, ...workerHeaders() } });
  assert.equal(anonymous.status, 422, "a download names the instance asking");
  // the workflow image, saved from the hub's engine on first request
  const img = await get(w, `/api/worker/images/${encodeURIComponent("levhub/python:bookworm")}`);
  assert.equal(img.status, 200);
  assert.equal(img.headers.get("content-type"), "application/x-tar");
  const head = Buffer.from(await img.arrayBuffer()).subarray(0, 512);
  assert.equal(head.subarray(257, 262).toString(), "ustar", "a tar archive");
  assert.equal((await get(other, `/api/worker/images/${encodeURIComponent("levhub/python:bookworm")}`)).status, 404);
  assert.equal((await get(w, `/api/worker/images/${encodeURIComponent("alpine:latest")}`)).status, 404, "not an image its run may use");
});

/** Reads server-sent events until `stop` says so; returns them with their ids. */
async function readSse(url: string, token: string, headers: Record<string, string>, stop: (ev: { id: string | null; data: { type: string; [k: string]: unknown } }) => boolean) {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, ...headers }, signal: ac.signal });
  assert.equal(res.status, 200);
  const out: { id: string | null; data: { type: string; [k: string]: unknown } }[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return out;
      buf += decoder.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const id = /^id: (.*)$/m.exec(block)?.[1] ?? null;
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (!data) continue;
        const ev = { id, data: JSON.parse(data) as { type: string } };
        out.push(ev);
        if (stop(ev)) return out;
      }
    }
  } finally {
    ac.abort();
  }
}

test("live page: a reconnection with Last-Event-ID resumes after the last line, no line lost or twice, wherever the run runs", async () => {
  await drain();
  const { startRun } = await import("../runs/index.ts");
  const { createToken } = await import("../accounts/tokens.ts");
  const { token } = await createToken(alice, { name: "sse" });
  const run = await startRun(alice, { versionId, function: fnName, args });
  const w = await newWorker("sse-1");
  assert.equal((await w.poll(1)).assign[0].runId, run.id);
  const at = new Date().toISOString();
  let seq = 0;
  const send = (events: unknown[]) =>
    work<{ acked: number }>(w.token, "POST", `/api/worker/runs/${run.id}/events`, { instance: w.instance, events: events.map((event) => ({ seq: ++seq, event })) });
  const log = (n: number) => ({ type: "log", log: { task: 0, stream: "stdout", line: `line ${n}`, at } });
  await send([{ type: "run.started", at }, log(1), log(2)]);
  const url = `${routes.url}/api/runs/${run.id}/events`;
  // first connection: the snapshot, then the lines as they come
  let sawSnapshot!: () => void;
  const snapshot = new Promise<void>((resolve) => (sawSnapshot = resolve));
  const reading = readSse(url, token, {}, (ev) => {
    if (ev.data.type === "snapshot") sawSnapshot();
    return ev.data.type === "log" && (ev.data.log as { line: string }).line === "line 3";
  });
  // line 3 is sent once the stream has its snapshot, so it comes live, never inside the snapshot
  await Promise.race([snapshot, reading]);
  await send([log(3)]);
  const first = await reading;
  assert.equal(first[0].data.type, "snapshot");
  const snapLines = ((first[0].data.run as { logs: { seq: number; line: string }[] }).logs).map((l) => l.line);
  assert.deepEqual(snapLines, ["line 1", "line 2"]);
  assert.equal(first[0].id, "2", "the snapshot's id is its last line's seq");
  const lastId = first.at(-1)!.id!;
  // the page is gone for a while: more lines, a task, the end
  await send([log(4), log(5)]);
  const task = { number: 1, image: "levhub/python:bookworm", schema: "s", coll: "c|s", host: "t1", status: "succeeded", exitCode: 0, startedAt: at, endedAt: at, error: null, stored: false };
  await send([{ type: "run.finished", status: "succeeded", error: null, exitCode: 0, tasks: [task], collections: [], startedAt: at, endedAt: at }]);
  const resumed = await readSse(url, token, { "last-event-id": lastId }, (ev) => ev.data.type === "end");
  assert.equal(resumed[0].data.type, "status", "a resumed stream starts with the status, not a snapshot");
  const seen = [...snapLines, ...first.filter((e) => e.data.type === "log").map((e) => (e.data.log as { line: string }).line), ...resumed.filter((e) => e.data.type === "log").map((e) => (e.data.log as { line: string }).line)];
  assert.deepEqual(seen, ["line 1", "line 2", "line 3", "line 4", "line 5"]);
  assert.ok(resumed.some((e) => e.data.type === "task" && (e.data.task as { status: string }).status === "succeeded"));
  assert.deepEqual(resumed.at(-1)!.data, { type: "end", status: "succeeded" });
});

test("a project that requires its scope enforced: only an enforcing worker takes its runs; the run's network report is kept, answered and audited once", async () => {
  await drain();
  await setLimits(16, 16);
  const { startRun, getRun } = await import("../runs/index.ts");
  const { db } = await import("../platform/db.ts");
  const { enforcedProject } = await import("../testing/projects.ts");
  await enforcedProject(alice, "enforced", "Enforced", ["10.231.0.0/16"]);
  const run = await startRun(alice, { versionId, function: fnName, args, project: "enforced" });
  const row = await db().run.findUniqueOrThrow({ where: { id: run.id }, select: { queue: true, policy: true } });
  assert.equal(row.queue, "levhub-run-enforced");
  assert.equal((row.policy as { requireEnforcement?: boolean }).requireEnforcement, true);
  const plain = await newWorker("scope-plain");
  assert.deepEqual((await plain.poll(4)).assign, [], "a worker that cannot enforce gets nothing");
  const { ENFORCED_QUEUE } = await import("./queue-names.ts");
  const { getBoss } = await import("./boss.ts");
  assert.equal((await (await getBoss()).findJobs(ENFORCED_QUEUE)).filter((j) => j.state === "created").length, 1, "the run still waits");
  const enforcing = await newWorker("scope-enforcing", 8, { hostNetwork: false, enforceScope: true, enforceScopeIpv6: false });
  assert.deepEqual((await enforcing.poll(4)).assign.map((a) => a.runId), [run.id]);

  const at = new Date().toISOString();
  const send = (events: { seq: number; event: unknown }[]) => work<{ acked: number }>(enforcing.token, "POST", `/api/worker/runs/${run.id}/events`, { instance: enforcing.instance, events });
  const blocked = [
    { address: "10.9.9.9", protocol: "tcp", port: 443, packets: 3 },
    { address: "172.17.0.1", protocol: "udp", port: 53, packets: 2 },
  ];
  assert.deepEqual((await send([{ seq: 1, event: { type: "run.started", at } }, { seq: 2, event: { type: "scope", scope: { enforcement: "enforced", blocked: [], blockedDropped: 0 } } }])).json, { acked: 2 });
  assert.deepEqual((await getRun(alice, run.id)).scopeReport, { enforcement: "enforced", blocked: [], blockedDropped: 0 });
  const bad = await send([{ seq: 3, event: { type: "scope", scope: { enforcement: "enforced", blocked: [{ address: "x", protocol: "gopher", port: 1, packets: 1 }], blockedDropped: 0 } } }]);
  assert.equal(bad.status, 422, "a report outside the protocol's schema is refused");
  assert.deepEqual(
    (await send([
      { seq: 3, event: { type: "scope", scope: { enforcement: "enforced", blocked, blockedDropped: 1 } } },
      { seq: 4, event: { type: "run.finished", status: "succeeded", error: null, exitCode: 0, tasks: [], collections: [], startedAt: at, endedAt: at } },
    ])).json,
    { acked: 4 },
  );
  const r = await getRun(alice, run.id);
  assert.equal(r.status, "succeeded");
  assert.deepEqual(r.scopeReport, { enforcement: "enforced", blocked, blockedDropped: 1 });
  const { createToken } = await import("../accounts/tokens.ts");
  const { token } = await createToken(alice, { name: "scope" });
  const answered = await call<{ scopeReport: unknown }>(token, "GET", `/api/runs/${run.id}`);
  assert.deepEqual(answered.json.scopeReport, { enforcement: "enforced", blocked, blockedDropped: 1 });
  const audits = await db().auditEvent.findMany({ where: { action: "run.scope_blocked", target: run.id } });
  assert.equal(audits.length, 1);
  assert.deepEqual(audits[0]!.data, { destinations: ["10.9.9.9:443/tcp", "172.17.0.1:53/udp"], more: 1, packets: 5 });
  assert.ok(audits[0]!.projectId, "in the project's own record");
});

test("such a project's run naming IPv6 waits for a worker enforcing IPv6 too, and its page says so; an IPv4-only enforcer leaves it", async () => {
  await drain();
  await setLimits(16, 16);
  const { startRun, getRun } = await import("../runs/index.ts");
  const { db } = await import("../platform/db.ts");
  const { enforcedProject } = await import("../testing/projects.ts");
  await enforcedProject(alice, "enforced6", "Enforced v6", ["10.231.0.0/16", "2001:db8:5::/48"]);
  const run = await startRun(alice, { versionId, function: fnName, args, project: "enforced6" });
  assert.equal((await db().run.findUniqueOrThrow({ where: { id: run.id }, select: { queue: true } })).queue, "levhub-run-enforced6");
  assert.match((await getRun(alice, run.id)).waitsFor ?? "", /^a worker whose engine enforces the project's scope by the network for IPv6 too/);
  const v4only = await newWorker("scope-v4-only", 8, { hostNetwork: false, enforceScope: true, enforceScopeIpv6: false });
  assert.deepEqual((await v4only.poll(4)).assign, [], "an engine enforcing IPv4 only does not take it");
  const both = await newWorker("scope-v4-v6", 8, { hostNetwork: false, enforceScope: true, enforceScopeIpv6: true });
  assert.deepEqual((await both.poll(4)).assign.map((a) => a.runId), [run.id]);
  assert.equal((await getRun(alice, run.id)).waitsFor, null, "taken: it waits for nothing");
});
