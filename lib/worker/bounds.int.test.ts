/**
 * Attack corpus, issue 16 point 4: an untrusted worker — a device any user can enrol — is bounded
 * before it costs anything. Driven by hand over HTTP through the real route handlers (a device
 * speaks the worker protocol itself here, so every answer and every row can be checked), against
 * real PostgreSQL and the results store: huge bodies for runs it does not hold are refused before
 * they are read, bodies for a run it holds stop at a cap sized to the request, what it reports of a
 * run is capped per run (collections, tasks, log bytes, events per batch), and its credential's
 * requests in flight, instances and long polls are limited (429). Nothing is left behind: no row,
 * no document, no place held among the requests in flight.
 *
 * The server's bytes read and the process's resident memory are printed for the record (the
 * assertions are about refusal, acceptance and what was kept, never about time).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { findFunction } from "../../runner/src/index.ts";
import { EVENT_BATCH_LIMITS, INSTANCE_HEADER, PROTOCOL_VERSION, STORE_ENVELOPE_BYTES, type PollResponse, type RegisterResponse } from "../../runner/worker/protocol.ts";
import { readFileSync, writeFileSync } from "node:fs";
import { spawnHubProcess } from "../testing/hub-process.ts";
import { HELLO } from "../testing/queue-faults.ts";
import { callRoute, callWorkerRoute, serveRoutes, workerHeaders, type RouteServer, type Served } from "../testing/route-server.ts";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { Viewer } from "../types.ts";

const MiB = 1024 * 1024;
/** the run policy's docBytes for runs of this test (the smallest an admin may set) and its maxTasks */
const DOC_BYTES = 4 * MiB;
const MAX_TASKS = 100;

let hub: TestHub;
let routes: RouteServer;
let alice: Viewer;
let aliceApi: string;
let versionId: string;
let fnName: string;
let args: Record<string, unknown>;
const served: Served[] = [];

before(async () => {
  process.env.LEVHUB_WORKER_HEARTBEAT_MS = "60000";
  hub = await startTestHub();
  routes = await serveRoutes({ onServed: (s) => served.push(s) });
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  ({ alice } = await signUpTestUsers());
  const { createToken } = await import("../accounts/tokens.ts");
  aliceApi = (await createToken(alice, { name: "api" })).token;
  const { publishDirectory } = await import("../packages/upload.ts");
  const r = await publishDirectory("system", HELLO);
  versionId = r.versionId;
  const fn = findFunction(r.manifest, "greet.hello")!;
  fnName = fn.qualified;
  args = { name: "bounds" };
  const { getSettings, updateSettings } = await import("../platform/settings.ts");
  const { run } = await getSettings();
  // the policy travels with each run: every run of this test may store 4 MiB documents and start 100 tasks
  await updateSettings({ run: { ...run, docBytes: DOC_BYTES, maxTasks: MAX_TASKS }, queue: { totalRuns: 100, perUserRuns: 100, hostNetworkOnDevicesOnly: false, hubWorkerInstances: 16 } });
});
after(async () => {
  await routes?.close();
  await hub?.close();
});

const at = () => new Date().toISOString();
const work = <T>(token: string, method: string, route: string, body?: unknown, headers?: Record<string, string>) => callWorkerRoute<T>(routes.url, token, method, route, body, headers);

async function enrol(name: string): Promise<{ id: string; token: string }> {
  const r = await callRoute<{ device: { id: string }; token: string }>(routes.url, aliceApi, "POST", "/api/devices", { name });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return { id: r.json.device.id, token: r.json.token };
}

async function register(token: string, name: string) {
  return work<RegisterResponse & { error?: { code: string; message: string } }>(token, "POST", "/api/worker/register", {
    protocol: PROTOCOL_VERSION,
    name,
    version: "attacker",
    engine: { host: "unix:///nowhere", version: "27.0" },
    capacity: 4,
    labels: { hostNetwork: false },
  });
}

/** A device with one registered instance, and a run sent to it that the instance holds. */
async function deviceHolding(name: string) {
  const device = await enrol(name);
  const reg = await register(device.token, name);
  assert.equal(reg.status, 201, JSON.stringify(reg.json));
  const instance = reg.json.instance;
  const runId = await sendRun(name);
  const poll = await work<PollResponse>(device.token, "POST", "/api/worker/poll", { instance, free: 4, waitMs: 0 });
  assert.deepEqual(poll.json.assign.map((a) => a.runId), [runId], JSON.stringify(poll.json));
  return { ...device, instance, runId };
}

async function sendRun(device: string): Promise<string> {
  const r = await callRoute<{ id: string }>(routes.url, aliceApi, "POST", "/api/runs", { versionId, function: fnName, args, device });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json.id;
}

interface Flood {
  status: number;
  json: { error?: { code: string; message: string } } | null;
  /** bytes the client got into its socket before the answer came */
  written: number;
  /** bytes the server had read from the connection when its answer was done */
  serverRead: number;
  connection: string | undefined;
}

/**
 * Sends a body of `total` bytes (generated as it goes, `head` first), on a connection of its own,
 * until the hub answers; then stops sending. `declare`: with Content-Length (else chunked).
 */
async function flood(token: string, path: string, instance: string, total: number, opts: { declare?: boolean; head?: string; base?: string } = {}): Promise<Flood> {
  // the server closes the connection after its early answer; the reset can reach this client
  // before the answer is read (EPIPE/ECONNRESET instead of the 413): that transport race is tried again
  for (let attempt = 1; ; attempt++) {
    try {
      return await floodOnce(token, path, instance, total, opts);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (attempt >= 3 || (code !== "EPIPE" && code !== "ECONNRESET")) throw err;
    }
  }
}

function floodOnce(token: string, path: string, instance: string, total: number, opts: { declare?: boolean; head?: string; base?: string } = {}): Promise<Flood> {
  const url = new URL(opts.base ?? routes.url);
  const chunk = Buffer.alloc(MiB, "x");
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: "POST",
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          ...workerHeaders(instance),
          ...(opts.declare ? { "content-length": String(total) } : {}),
        },
      },
      (res) => {
        answered = true;
        const parts: Buffer[] = [];
        res.on("data", (c: Buffer) => parts.push(c));
        res.on("end", () => {
          req.destroy();
          // the server records what it read once its answer is done
          setTimeout(() => {
            const s = served.filter((x) => x.path === path).at(-1);
            const text = Buffer.concat(parts).toString();
            resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : null, written, serverRead: s?.bytesRead ?? -1, connection: res.headers.connection });
          }, 100);
        });
      },
    );
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    const pump = async () => {
      if (opts.head) {
        req.write(opts.head);
        written += Buffer.byteLength(opts.head);
      }
      while (written < total && !answered && !req.destroyed) {
        const n = Math.min(chunk.length, total - written);
        const ok = req.write(n === chunk.length ? chunk : chunk.subarray(0, n));
        written += n;
        // the server stopped reading: wait, with nothing more queued (writing into a connection the
        // server then closes would fail before its answer is read)
        if (!ok) await stalled(req);
      }
      if (!answered && !req.destroyed) req.end();
    };
    void pump();
  });
}

/** Until `req` may be written again, is answered or closes; its listeners gone again after. */
function stalled(req: http.ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off("drain", done).off("close", done).off("response", done);
      resolve();
    };
    req.on("drain", done).on("close", done).on("response", done);
  });
}

const rssMiB = () => Math.round(process.memoryUsage().rss / MiB);
const settle = async () => {
  global.gc?.();
  await new Promise((r) => setTimeout(r, 200));
};

test("a device's 200 MiB body for a run it does not hold: refused before it is read, whichever the route and however it is framed", async () => {
  const { underWay } = await import("./admission.ts");
  const { db } = await import("../platform/db.ts");
  const d = await deviceHolding("flooder");
  // someone else's run, or one of alice's that this device does not hold (queued for another device)
  await enrol("elsewhere");
  const notHeld = await sendRun("elsewhere");
  await settle();
  const rss0 = rssMiB();
  for (const [what, runId] of [
    ["a run that does not exist", "c0000000000000000000nope"],
    ["a run it does not hold", notHeld],
  ] as const) {
    for (const route of ["store", "events"]) {
      for (const declare of [true, false]) {
        const res = await flood(d.token, `/api/worker/runs/${runId}/${route}`, d.instance, 200 * MiB, { declare });
        const label = `${route}, ${what}, ${declare ? "Content-Length" : "chunked"}`;
        assert.equal(res.status, 404, `${label}: ${JSON.stringify(res.json)}`);
        assert.equal(res.json?.error?.code, "not_found", label);
        assert.equal(res.connection, "close", `${label}: the hub reads no more of that connection`);
        console.log(`[bounds] refused 200 MiB (${label}): client wrote ${(res.written / MiB).toFixed(1)} MiB, server read ${(res.serverRead / 1024).toFixed(0)} KiB`);
        assert.ok(res.serverRead >= 0 && res.serverRead < MiB, `${label}: the server read ${res.serverRead} bytes`);
      }
    }
  }
  await settle();
  console.log(`[bounds] resident memory: ${rss0} MiB before eight refused 200 MiB bodies, ${rssMiB()} MiB after`);
  assert.ok(rssMiB() - rss0 < 100, "nothing of the bodies was kept");
  const credentialId = (await db().device.findUniqueOrThrow({ where: { id: d.id } })).credentialId;
  assert.deepEqual(underWay(credentialId, d.instance), { requests: 0, polls: 0 }, "every place given back");
  assert.equal(await db().runLog.count({ where: { runId: notHeld } }), 0);
});

test("a short refused body is drained, not cut: the answer arrives whole and the connection is used again", async () => {
  const d = await deviceHolding("tidy");
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(routes.url);
  const send = (path: string, body: string) =>
    new Promise<{ status: number; reused: boolean; connection?: string }>((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, path, method: "POST", agent, headers: { authorization: `Bearer ${d.token}`, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), ...workerHeaders(d.instance) } },
        (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket, connection: res.headers.connection }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  try {
    const batch = JSON.stringify({ instance: d.instance, events: [{ seq: 1, event: { type: "log", log: { task: 0, stream: "stdout", line: "x".repeat(30_000), at: at() } } }] });
    const refused = await send("/api/worker/runs/c0000000000000000000nope/events", batch);
    assert.equal(refused.status, 404);
    assert.notEqual(refused.connection, "close");
    const next = await send(`/api/worker/runs/${d.runId}/events`, batch);
    assert.equal(next.status, 200);
    assert.equal(next.reused, true, "the same connection serves the next request");
  } finally {
    agent.destroy();
  }
});

test("a body for a run it holds stops at the cap sized to the request: a document up to docBytes, an events batch; 413 past it", async () => {
  const { db } = await import("../platform/db.ts");
  const d = await deviceHolding("oversize");
  const storeCap = DOC_BYTES + STORE_ENVELOPE_BYTES;
  for (const declare of [true, false]) {
    const store = await flood(d.token, `/api/worker/runs/${d.runId}/store`, d.instance, 200 * MiB, { declare, head: `{"instance":"${d.instance}","op":"put","coll":"a|b","task":1,"meta":{"runId":"x","owner":"x","at":"x"},"fields":{"x":"` });
    assert.equal(store.status, 413, JSON.stringify(store.json));
    console.log(`[bounds] store body past the cap (${declare ? "Content-Length" : "chunked"}): server read ${(store.serverRead / MiB).toFixed(2)} MiB (cap ${(storeCap / MiB).toFixed(2)} MiB)`);
    assert.ok(store.serverRead < (declare ? MiB : storeCap + 2 * MiB), `read ${store.serverRead} bytes`);
    const events = await flood(d.token, `/api/worker/runs/${d.runId}/events`, d.instance, 200 * MiB, { declare, head: `{"instance":"${d.instance}","events":[{"seq":1,"event":{"type":"log","log":{"task":0,"stream":"stdout","at":"x","line":"` });
    assert.equal(events.status, 413, JSON.stringify(events.json));
    assert.ok(events.serverRead < (declare ? MiB : EVENT_BATCH_LIMITS.bytes + 2 * MiB), `read ${events.serverRead} bytes`);
  }
  // a document of exactly what the run may store is taken; one byte more is not
  const at = new Date().toISOString();
  const meta = { runId: d.runId, owner: "alice", at };
  const wrap = (n: number) => ({ x: "y".repeat(n - '{"x":""}'.length) });
  await settle();
  const rss0 = rssMiB();
  const ok = await work(d.token, "POST", `/api/worker/runs/${d.runId}/store`, { instance: d.instance, op: "put", coll: "levhub|bounds", task: 1, fields: wrap(DOC_BYTES), meta });
  const rss1 = rssMiB();
  assert.equal(ok.status, 200, JSON.stringify(ok.json));
  console.log(`[bounds] one ${DOC_BYTES / MiB} MiB document stored: resident memory ${rss0} → ${rss1} MiB`);
  const over = await work<{ error: { code: string; message: string } }>(d.token, "POST", `/api/worker/runs/${d.runId}/store`, { instance: d.instance, op: "put", coll: "levhub|bounds", task: 2, fields: wrap(DOC_BYTES + 1), meta });
  assert.equal(over.status, 413);
  assert.match(over.json.error.message, new RegExp(`at most ${DOC_BYTES} per document`));
  const { getResultStore } = await import("../results/results-store.ts");
  const number = (await db().run.findUniqueOrThrow({ where: { id: d.runId } })).number;
  const stored = await (await getResultStore()).findOne("levhub|bounds", number, 1, null, null);
  assert.equal((stored?.x as string | undefined)?.length, DOC_BYTES - 8, "the whole document, as sent");
  assert.equal(await (await getResultStore()).findOne("levhub|bounds", number, 2, null, null), null, "nothing of the refused one");
  // the body's instance must be the one the request was admitted for
  const other = await work<{ error: { code: string } }>(d.token, "POST", `/api/worker/runs/${d.runId}/store`, { instance: "6f1c7f5e-7c8a-4b55-9a57-0c1bbf3d8a11", op: "findRun", coll: "levhub|bounds" }, { [INSTANCE_HEADER]: d.instance });
  assert.equal(other.status, 422);
  const unnamed = await callRoute<{ error: { code: string; message: string } }>(routes.url, d.token, "POST", `/api/worker/runs/${d.runId}/store`, { instance: d.instance, op: "findRun", coll: "x" }, workerHeaders());
  assert.equal(unnamed.status, 422);
  assert.match(unnamed.json.error.message, new RegExp(INSTANCE_HEADER));
});

test("putMany (protocol 4): several tasks' documents in one request, each checked and all together before anything is written; protocol 3 still registers, 2 is told to update", async () => {
  const { db } = await import("../platform/db.ts");
  const d = await deviceHolding("batch");
  const meta = { runId: d.runId, owner: "alice", at: at() };
  const store = (docs: unknown[]) => work<{ ok?: true; error?: { code: string; message: string } }>(d.token, "POST", `/api/worker/runs/${d.runId}/store`, { instance: d.instance, op: "putMany", docs });
  const ok = await store([1, 2, 3].map((task) => ({ coll: task === 3 ? "levhub|other" : "levhub|batch", task, fields: { task }, meta })));
  assert.equal(ok.status, 200, JSON.stringify(ok.json));
  const { getResultStore } = await import("../results/results-store.ts");
  const results = await getResultStore();
  const number = (await db().run.findUniqueOrThrow({ where: { id: d.runId } })).number;
  assert.deepEqual((await results.findRun("levhub|batch", number)).map((x) => x.task).sort(), [1, 2]);
  assert.equal((await results.findOne("levhub|other", number, 3, null, null))?.task, 3);
  const again = await store([{ coll: "levhub|batch", task: 1, fields: { task: 1, again: true }, meta }, { coll: "levhub|batch", task: 4, fields: { task: 4 }, meta }]);
  assert.equal(again.status, 200, "a document stored before is replaced, as by put");
  assert.equal((await results.findOne("levhub|batch", number, 1, null, null))?.again, true);
  const run = await db().run.findUniqueOrThrow({ where: { id: d.runId }, select: { collections: true, projectId: true } });
  assert.deepEqual([...run.collections].sort(), ["levhub|batch", "levhub|other"]);
  // the results index as the same puts one by one would leave it: rows, and each collection's counts once per document
  const indexed = await db().resultDocument.findMany({ where: { runId: d.runId }, select: { coll: true, task: true, bytes: true, doc: true }, orderBy: [{ coll: "asc" }, { task: "asc" }] });
  assert.deepEqual(indexed.map((r) => `${r.coll}#${r.task}`), ["levhub|batch#1", "levhub|batch#2", "levhub|batch#4", "levhub|other#3"]);
  assert.equal((indexed[0].doc as { again?: boolean }).again, true);
  const counts = await db().resultCollection.findUniqueOrThrow({ where: { projectId_coll: { projectId: run.projectId, coll: "levhub|batch" } } });
  assert.equal(Number(counts.documents), 3);
  assert.equal(Number(counts.bytes), indexed.filter((r) => r.coll === "levhub|batch").reduce((n, r) => n + r.bytes, 0));
  // one bad document refuses the batch, and nothing of it is written
  const bad = await store([{ coll: "levhub|batch", task: 5, fields: {}, meta }, { coll: "system.users", task: 6, fields: {}, meta }]);
  assert.equal(bad.status, 422);
  const past = await store([{ coll: "levhub|batch", task: 7, fields: {}, meta }, { coll: "levhub|batch", task: MAX_TASKS + 1, fields: {}, meta }]);
  assert.equal(past.status, 422);
  const half = { x: "y".repeat(DOC_BYTES / 2) };
  const together = await store([5, 6].map((task) => ({ coll: "levhub|batch", task, fields: half, meta })));
  assert.equal(together.status, 413, JSON.stringify(together.json));
  assert.match(together.json.error?.message ?? "", /together/);
  assert.deepEqual((await results.findRun("levhub|batch", number)).map((x) => x.task).sort(), [1, 2, 4], "nothing of the refused batches");
  // the registration's protocol: the previous one is accepted for a release, an older one is told what to do
  const device = await enrol("old-protocol");
  const old = await work<{ error: { message: string } }>(device.token, "POST", "/api/worker/register", { protocol: 2, name: "old", version: "x", engine: { host: "unix:///nowhere", version: "27.0" }, capacity: 1, labels: { hostNetwork: false } });
  assert.equal(old.status, 422);
  assert.match(JSON.stringify(old.json), /speaks protocol 2.*update the worker/);
  const previous = await work(device.token, "POST", "/api/worker/register", { protocol: 3, name: "prev", version: "x", engine: { host: "unix:///nowhere", version: "27.0" }, capacity: 1, labels: { hostNetwork: false } });
  assert.equal(previous.status, 201, JSON.stringify(previous.json));
});

const numbered = (from: number, events: unknown[]) => events.map((event, i) => ({ seq: from + i, event }));

test("3,000 collections in batches: the run ends QuotaExceeded at its cap, its record stays small; a store into one more collection is refused", async () => {
  const { db } = await import("../platform/db.ts");
  const { RUN_REPORT_LIMITS } = await import("../runs/report-limits.ts");
  const d = await deviceHolding("collector");
  const url = `/api/worker/runs/${d.runId}/events`;
  const docs = (n: number, base: number) => Array.from({ length: n }, (_, i) => ({ type: "document", coll: `levhub|c${base + i}`, task: 1 }));
  // more events than a batch may hold: refused whole, nothing recorded
  const tooMany = await work<{ error: { code: string } }>(d.token, "POST", url, { instance: d.instance, events: numbered(1, docs(EVENT_BATCH_LIMITS.events + 1, 0)) });
  assert.equal(tooMany.status, 422);
  assert.equal((await db().run.findUniqueOrThrow({ where: { id: d.runId } })).reportedSeq, 0);
  const answers: { acked: number; cancel?: string }[] = [];
  for (let b = 0; b < 3000 / EVENT_BATCH_LIMITS.events; b++) {
    const from = 1 + b * EVENT_BATCH_LIMITS.events;
    const r = await work<{ acked: number; cancel?: string }>(d.token, "POST", url, { instance: d.instance, events: numbered(from, docs(EVENT_BATCH_LIMITS.events, from)) });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    answers.push(r.json);
  }
  const cap = RUN_REPORT_LIMITS.collections;
  assert.equal(answers[0].acked, cap + 1, "applied up to the event that passed the cap");
  assert.match(answers[0].cancel ?? "", new RegExp(`more than ${cap} collections`), "the worker is told to stop");
  for (const a of answers.slice(1)) assert.ok(a.cancel, "every later batch is told the run has ended");
  const run = await db().run.findUniqueOrThrow({ where: { id: d.runId } });
  assert.equal(run.status, "failed");
  assert.deepEqual((run.error as { type: string }).type, "QuotaExceeded");
  assert.match((run.error as { message: string }).message, new RegExp(`${cap} collections`));
  assert.equal(run.collections.length, cap);
  const recordBytes = Buffer.byteLength(JSON.stringify(run, (_, v) => (typeof v === "bigint" ? String(v) : v)));
  console.log(`[bounds] run record after 3,000 reported collections: ${(recordBytes / 1024).toFixed(0)} KiB`);
  assert.ok(recordBytes < 64 * 1024, `the run record is ${recordBytes} bytes`);

  // the results store has its own door: a worker that stores into new collections without reporting them is capped the same
  const e = await deviceHolding("hoarder");
  const meta = { runId: e.runId, owner: "alice", at: at() };
  for (let i = 0; i < cap; i++) {
    const r = await work(e.token, "POST", `/api/worker/runs/${e.runId}/store`, { instance: e.instance, op: "put", coll: `levhub|h${i}`, task: 1, fields: { i }, meta });
    assert.equal(r.status, 200, `collection ${i}: ${JSON.stringify(r.json)}`);
  }
  const more = await work<{ error: { code: string; message: string } }>(e.token, "POST", `/api/worker/runs/${e.runId}/store`, { instance: e.instance, op: "put", coll: "levhub|one-more", task: 1, fields: {}, meta });
  assert.equal(more.status, 409);
  assert.match(more.json.error.message, /QuotaExceeded/);
  const ended = await db().run.findUniqueOrThrow({ where: { id: e.runId } });
  assert.equal(ended.status, "failed");
  assert.equal((ended.error as { type: string }).type, "QuotaExceeded");
  assert.equal(ended.collections.length, cap);
  const { getResultStore } = await import("../results/results-store.ts");
  assert.deepEqual(await (await getResultStore()).findRun("levhub|one-more", ended.number), [], "nothing stored past the cap");
  const again = await work(e.token, "POST", `/api/worker/runs/${e.runId}/store`, { instance: e.instance, op: "put", coll: "levhub|h0", task: 1, fields: {}, meta });
  assert.equal(again.status, 409, "an ended run stores nothing more");
});

test("10,000 task rows: the run keeps at most its maxTasks and ends QuotaExceeded; a store for a task past it is refused", async () => {
  const { db } = await import("../platform/db.ts");
  const d = await deviceHolding("tasker");
  const url = `/api/worker/runs/${d.runId}/events`;
  const task = (number: number) => ({
    type: "task.started",
    task: { number, image: "levhub/python:bookworm", schema: "s", coll: "levhub|t", host: `t${number}`, status: "running", exitCode: null, startedAt: at(), endedAt: null, error: null, stored: false },
  });
  let seq = 1;
  let last: { acked: number; cancel?: string } | null = null;
  for (let n = 1; n <= 10_000; n += EVENT_BATCH_LIMITS.events) {
    const events = Array.from({ length: EVENT_BATCH_LIMITS.events }, (_, i) => task(n + i));
    const r = await work<{ acked: number; cancel?: string }>(d.token, "POST", url, { instance: d.instance, events: numbered(seq, events) });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    seq += events.length;
    last = r.json;
  }
  assert.ok(last?.cancel, "told to stop");
  assert.equal(await db().task.count({ where: { runId: d.runId } }), MAX_TASKS);
  const run = await db().run.findUniqueOrThrow({ where: { id: d.runId } });
  assert.equal(run.status, "failed");
  assert.equal((run.error as { type: string }).type, "QuotaExceeded");
  assert.match((run.error as { message: string }).message, new RegExp(`task ${MAX_TASKS + 1}; this run may start at most ${MAX_TASKS} tasks`));
  assert.equal(run.reportedSeq, MAX_TASKS + 1);

  const e = await deviceHolding("tasker-store");
  const r = await work<{ error: { message: string } }>(e.token, "POST", `/api/worker/runs/${e.runId}/store`, { instance: e.instance, op: "put", coll: "levhub|t", task: MAX_TASKS + 1, fields: {}, meta: { runId: e.runId, owner: "alice", at: at() } });
  assert.equal(r.status, 422);
  assert.match(r.json.error.message, new RegExp(`at most ${MAX_TASKS} tasks`));
});

test("log lines past the run's byte cap are counted, not stored; the run still ends as its worker says, with one line saying how many", async () => {
  const { db } = await import("../platform/db.ts");
  const { RUN_REPORT_LIMITS } = await import("../runs/report-limits.ts");
  const d = await deviceHolding("chatty");
  const url = `/api/worker/runs/${d.runId}/events`;
  const line = "z".repeat(RUN_REPORT_LIMITS.lineChars);
  const perBatch = Math.floor((EVENT_BATCH_LIMITS.bytes - 4096) / (line.length + 200));
  const lines = Math.ceil((RUN_REPORT_LIMITS.logBytes * 1.25) / line.length);
  let seq = 1;
  assert.equal((await work(d.token, "POST", url, { instance: d.instance, events: numbered(seq++, [{ type: "run.started", at: at() }]) })).status, 200);
  for (let sent = 0; sent < lines; sent += perBatch) {
    const n = Math.min(perBatch, lines - sent);
    const events = Array.from({ length: n }, () => ({ type: "log", log: { task: 0, stream: "stdout", line, at: at() } }));
    const r = await work<{ acked: number }>(d.token, "POST", url, { instance: d.instance, events: numbered(seq, events) });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    seq += n;
  }
  const end = { type: "run.finished", status: "succeeded", error: null, exitCode: 0, tasks: [], collections: [], startedAt: at(), endedAt: at() };
  assert.equal((await work(d.token, "POST", url, { instance: d.instance, events: numbered(seq, [end]) })).status, 200);
  const run = await db().run.findUniqueOrThrow({ where: { id: d.runId } });
  assert.equal(run.status, "succeeded", "a capped log is no failure");
  const kept = Math.floor(RUN_REPORT_LIMITS.logBytes / line.length);
  assert.equal(run.logDropped, lines - kept);
  assert.equal(Number(run.logBytes), kept * line.length);
  const rows = await db().runLog.findMany({ where: { runId: d.runId }, orderBy: { seq: "asc" }, select: { seq: true, line: true } });
  assert.equal(rows.length, kept + 1);
  assert.deepEqual(rows.slice(0, kept).map((r) => r.seq), Array.from({ length: kept }, (_, i) => i + 1), "the beginning of the log, in order");
  assert.match(rows.at(-1)!.line, new RegExp(`^${lines - kept} more log lines were not kept`));
  console.log(`[bounds] ${lines} lines of 64 KiB reported: ${kept} kept (${(Number(run.logBytes) / MiB).toFixed(1)} MiB), ${run.logDropped} counted and dropped`);
});

test("429: a second long poll of one instance, a fifth instance of one device, a ninth request in flight; each place is given back", async () => {
  const { db } = await import("../platform/db.ts");
  const { underWay } = await import("./admission.ts");
  const { WORKER_LIMITS } = await import("../queue/worker-limits.ts");
  const d = await deviceHolding("greedy");
  const credentialId = (await db().device.findUniqueOrThrow({ where: { id: d.id } })).credentialId;

  // one long poll per instance: a second one while the first waits is refused, then allowed again
  const waiting = work<PollResponse>(d.token, "POST", "/api/worker/poll", { instance: d.instance, free: 1, waitMs: 1500 });
  await new Promise((r) => setTimeout(r, 300));
  const second = await work<{ error: { code: string; message: string } }>(d.token, "POST", "/api/worker/poll", { instance: d.instance, free: 1, waitMs: 0 });
  assert.equal(second.status, 429);
  assert.equal(second.json.error.code, "rate_limited");
  assert.match(second.json.error.message, /long poll of this worker instance is already waiting/);
  assert.equal((await waiting).status, 200);
  assert.equal((await work(d.token, "POST", "/api/worker/poll", { instance: d.instance, free: 1, waitMs: 0 })).status, 200);

  // instances: the device has one; up to its limit more register, then 429 until one stops
  const more: string[] = [];
  for (let i = 1; i < WORKER_LIMITS.device.instances; i++) {
    const r = await register(d.token, "greedy");
    assert.equal(r.status, 201, JSON.stringify(r.json));
    more.push(r.json.instance);
  }
  const fifth = await register(d.token, "greedy");
  assert.equal(fifth.status, 429);
  assert.match(fifth.json.error?.message ?? "", new RegExp(`this device has ${WORKER_LIMITS.device.instances} worker processes registered`));
  const live = () => db().worker.count({ where: { credentialId, state: { in: ["online", "draining"] } } });
  assert.equal(await live(), WORKER_LIMITS.device.instances);
  // registrations at once never pass the limit either
  await db().worker.updateMany({ where: { instance: { in: more } }, data: { state: "stopped" } });
  const burst = await Promise.all(Array.from({ length: 6 }, () => register(d.token, "greedy")));
  assert.equal(burst.filter((r) => r.status === 201).length, WORKER_LIMITS.device.instances - 1);
  assert.equal(burst.filter((r) => r.status === 429).length, 6 - (WORKER_LIMITS.device.instances - 1));
  assert.equal(await live(), WORKER_LIMITS.device.instances);

  // requests in flight: eight store requests whose bodies trickle in are all under way; the ninth is refused
  const url = new URL(routes.url);
  const slow = Array.from({ length: WORKER_LIMITS.device.requestsInFlight }, () => {
    const body = JSON.stringify({ instance: d.instance, op: "findRun", coll: "levhub|slow" });
    const req = http.request({
      host: url.hostname,
      port: url.port,
      path: `/api/worker/runs/${d.runId}/store`,
      method: "POST",
      agent: false,
      headers: { authorization: `Bearer ${d.token}`, "content-type": "application/json", "content-length": String(body.length), ...workerHeaders(d.instance) },
    });
    const answer = new Promise<number>((resolve, reject) => {
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
    });
    req.write(body.slice(0, 10));
    return { req, body, answer };
  });
  const inFlight = async (n: number) => {
    for (let i = 0; i < 100 && underWay(credentialId).requests !== n; i++) await new Promise((r) => setTimeout(r, 20));
    return underWay(credentialId).requests;
  };
  assert.equal(await inFlight(WORKER_LIMITS.device.requestsInFlight), WORKER_LIMITS.device.requestsInFlight);
  const ninth = await work<{ error: { code: string; message: string } }>(d.token, "POST", `/api/worker/runs/${d.runId}/store`, { instance: d.instance, op: "findRun", coll: "levhub|slow" });
  assert.equal(ninth.status, 429);
  assert.match(ninth.json.error.message, new RegExp(`this device has ${WORKER_LIMITS.device.requestsInFlight} requests under way`));
  const heartbeat = await work<{ error: { code: string } }>(d.token, "POST", "/api/worker/heartbeat", { instance: d.instance, running: [] });
  assert.equal(heartbeat.status, 429, "a heartbeat is a request like the others (the worker keeps a place for it)");
  for (const s of slow) s.req.end(s.body.slice(10));
  assert.deepEqual(await Promise.all(slow.map((s) => s.answer)), slow.map(() => 200));
  assert.equal(await inFlight(0), 0, "every place given back");
  assert.equal((await work(d.token, "POST", `/api/worker/runs/${d.runId}/store`, { instance: d.instance, op: "findRun", coll: "levhub|slow" })).status, 200);
  assert.deepEqual(underWay(credentialId, d.instance), { requests: 0, polls: 0 });
});

/** A process's resident memory now and at its peak since the last reset, in MiB (Linux /proc). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rss: Math.round(kib("VmRSS") / 1024), peak: Math.round(kib("VmHWM") / 1024) };
}
/** Starts a new peak from the current resident memory (writing 5 to clear_refs; root or the process's owner). */
const resetPeak = (pid: number) => writeFileSync(`/proc/${pid}/clear_refs`, "5");

test("the hub process's memory for one document of the default 16 MiB docBytes, and for refused 200 MiB bodies (figures printed)", async () => {
  const { getSettings, updateSettings } = await import("../platform/settings.ts");
  const { run } = await getSettings();
  await updateSettings({ run: { ...run, docBytes: 16 * MiB } });
  let d: Awaited<ReturnType<typeof deviceHolding>>;
  try {
    d = await deviceHolding("memory");
  } finally {
    await updateSettings({ run });
  }
  // a web process of its own, on the same database: what it holds is the server's alone, not this test's
  const proc = await spawnHubProcess({});
  try {
    const call = (body: unknown) => callWorkerRoute<{ ok?: boolean }>(proc.url, d.token, "POST", `/api/worker/runs/${d.runId}/store`, body);
    assert.equal((await call({ instance: d.instance, op: "findRun", coll: "levhub|memory" })).status, 200, "warmed up");
    /** the hub process's resident memory before `fn` and its peak while `fn` ran, printed */
    const measured = async (what: string, fn: () => Promise<void>) => {
      await new Promise((r) => setTimeout(r, 300));
      resetPeak(proc.pid);
      const before = memoryOf(proc.pid);
      await fn();
      const after = memoryOf(proc.pid);
      console.log(`[bounds] hub process, ${what}: resident ${before.rss} MiB before, peak ${after.peak} MiB (+${after.peak - before.rss}), ${after.rss} MiB after`);
      return after.peak - before.rss;
    };
    const refused = await measured("a 200 MiB body for a run it does not hold (404)", async () => {
      assert.equal((await flood(d.token, "/api/worker/runs/c0000000000000000000nope/store", d.instance, 200 * MiB, { base: proc.url })).status, 404);
    });
    // the issue measured +772 MiB for this one
    assert.ok(refused < 32, `the hub process grew by ${refused} MiB`);
    const capped = await measured("a 200 MiB body for its run's store (413 past the 16 MiB document's cap)", async () => {
      assert.equal((await flood(d.token, `/api/worker/runs/${d.runId}/store`, d.instance, 200 * MiB, { base: proc.url })).status, 413);
    });
    assert.ok(capped < 100, `the hub process grew by ${capped} MiB`);
    await measured("a 16 MiB document read and parsed, then refused (a collection it may not write)", async () => {
      const doc = { x: "y".repeat(16 * MiB - 1024) };
      const put = await call({ instance: d.instance, op: "put", coll: "system.users", task: 1, fields: doc, meta: { runId: d.runId, owner: "alice", at: at() } });
      assert.equal(put.status, 422, JSON.stringify(put.json));
    });
    await measured("one 16 MiB document stored (read, parsed, measured, written to the results store and its index)", async () => {
      const doc = { x: "y".repeat(16 * MiB - 1024) };
      const put = await call({ instance: d.instance, op: "put", coll: "levhub|memory", task: 1, fields: doc, meta: { runId: d.runId, owner: "alice", at: at() } });
      assert.equal(put.status, 200, JSON.stringify(put.json));
    });
  } finally {
    await proc.stop();
  }
});

test("a long poll never waits on the claim lock holding a connection: while another holds it, nothing queues on it; once free, the poll claims", async () => {
  const pg = (await import("pg")).default;
  const { CLAIM_LOCK } = await import("./claim.ts");
  const device = await enrol("patient");
  const reg = await register(device.token, "patient");
  assert.equal(reg.status, 201, JSON.stringify(reg.json));
  const runId = await sendRun("patient");
  const holder = new pg.Client({ connectionString: hub.databaseUrl });
  await holder.connect();
  try {
    // a claim elsewhere that takes its time: the hub-wide claim lock is held
    await holder.query("SELECT pg_advisory_lock($1)", [CLAIM_LOCK]);
    const polling = work<PollResponse>(device.token, "POST", "/api/worker/poll", { instance: reg.json.instance, free: 1, waitMs: 6000 });
    const waiting: number[] = [];
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const { rows } = await holder.query<{ n: string }>(
        // waiting on a lock, or holding a transaction open (beyond the moment between a short transaction's statements)
        `SELECT count(*) AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database()
            AND (wait_event_type = 'Lock' OR (state = 'idle in transaction' AND state_change < now() - interval '200 milliseconds'))`,
      );
      waiting.push(Number(rows[0].n));
    }
    assert.deepEqual(waiting, waiting.map(() => 0), "no connection waits on the lock, none sits in a transaction");
    await holder.query("SELECT pg_advisory_unlock($1)", [CLAIM_LOCK]);
    const res = await polling;
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.deepEqual(res.json.assign.map((a) => a.runId), [runId], "claimed once the lock was free, within the same poll");
  } finally {
    await holder.end();
  }
});
