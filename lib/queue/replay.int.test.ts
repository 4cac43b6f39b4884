/**
 * Attack corpus, issue 16 point 2 (replay): a worker request recorded on its way to the hub —
 * heartbeat, poll, events, store, download — and sent again verbatim is refused (409 `replayed`)
 * before it does anything, while requests of one instance that overtake each other (concurrent
 * calls) are each admitted once. First by hand, so that every effect can be checked; then the
 * requests of a real worker running a real run, recorded by a proxy between it and the hub.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import path from "node:path";
import { findFunction } from "../../runner/src/index.ts";
import { INSTANCE_HEADER, PROTOCOL_VERSION, REQUEST_SEQ_HEADER, type PollResponse, type RegisterResponse } from "../../runner/worker/protocol.ts";
import { listenOnSocket } from "../platform/unix-socket.ts";
import { HELLO, settled } from "../testing/queue-faults.ts";
import { bodyInstance, serveRoutes, workerHeaders, type RouteServer } from "../testing/route-server.ts";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { Viewer } from "../types.ts";

let hub: TestHub;
let routes: RouteServer;
let alice: Viewer;
let versionId: string;
let fnName: string;
let args: Record<string, unknown>;

before(async () => {
  process.env.LEVHUB_WORKER_HEARTBEAT_MS = "300";
  hub = await startTestHub();
  routes = await serveRoutes({ socket: path.join(hub.dataDir, "replay-hub.sock") });
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  ({ alice } = await signUpTestUsers());
  const { publishDirectory } = await import("../packages/upload.ts");
  const r = await publishDirectory("system", HELLO);
  versionId = r.versionId;
  const fn = findFunction(r.manifest, "greet.hello")!;
  fnName = fn.qualified;
  args = { name: "replay" };
});
after(async () => {
  await routes?.close();
  await hub?.close();
});

/** A request as it went over the wire: replaying it sends exactly this again. */
interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | null;
}

async function send(r: Recorded): Promise<{ status: number; json: { error?: { code: string; message: string } } & Record<string, unknown> }> {
  const res = await fetch(`${routes.url}${r.path}`, { method: r.method, headers: r.headers, body: r.body ?? undefined });
  const text = await res.text();
  let json = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = {};
  }
  return { status: res.status, json };
}

/** A hand-driven worker whose every request is kept, as a sniffer or a logging proxy would keep it. */
async function recordingWorker(name: string) {
  const { createWorkerCredential } = await import("./credentials.ts");
  const { token } = await createWorkerCredential(null, name);
  const recorded: Recorded[] = [];
  const call = async (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) => {
    const r: Recorded = {
      method,
      path: route,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...workerHeaders(bodyInstance(body)), ...headers },
      body: body === undefined ? null : JSON.stringify(body),
    };
    recorded.push(r);
    return { ...(await send(r)), request: r };
  };
  const reg = await call("POST", "/api/worker/register", { protocol: PROTOCOL_VERSION, name, version: "t", engine: { host: "h", version: "v" }, capacity: 4, labels: { hostNetwork: false } });
  assert.equal(reg.status, 201, JSON.stringify(reg.json));
  const instance = (reg.json as unknown as RegisterResponse).instance;
  return { token, instance, call, recorded };
}

function assertReplayed(res: { status: number; json: { error?: { code: string; message: string } } }, what: string) {
  assert.equal(res.status, 409, `${what}: ${JSON.stringify(res.json)}`);
  assert.equal(res.json.error?.code, "replayed", what);
  assert.match(res.json.error?.message ?? "", /nothing was done/, what);
}

test("a recorded heartbeat, poll, events batch, store call and download replayed verbatim: 409 replayed, nothing changes", async () => {
  const { startRun, getRun } = await import("../runs/index.ts");
  const { db } = await import("../platform/db.ts");
  const w = await recordingWorker("replayed-1");
  const lastSeen = async () => (await db().worker.findUniqueOrThrow({ where: { instance: w.instance } })).lastSeenAt.getTime();

  // heartbeat: a replay must not keep an instance alive
  const hb = await w.call("POST", "/api/worker/heartbeat", { instance: w.instance, running: [] });
  assert.equal(hb.status, 200, JSON.stringify(hb.json));
  const seen = await lastSeen();
  await new Promise((r) => setTimeout(r, 50));
  assertReplayed(await send(hb.request), "heartbeat");
  assert.equal(await lastSeen(), seen, "the replay did not count as a sign of life");

  // poll: a replay must not claim the next run (and hand over its arguments)
  const first = await startRun(alice, { versionId, function: fnName, args });
  const poll = await w.call("POST", "/api/worker/poll", { instance: w.instance, free: 1, waitMs: 0 });
  assert.deepEqual((poll.json as unknown as PollResponse).assign.map((a) => a.runId), [first.id]);
  const second = await startRun(alice, { versionId, function: fnName, args });
  const replayedPoll = await send(poll.request);
  assertReplayed(replayedPoll, "poll");
  assert.equal(replayedPoll.json.assign, undefined, "no assignment in the answer");
  assert.equal((await getRun(alice, second.id)).status, "queued", "the next run stays queued");

  // events: a replay is refused before the batch is looked at
  const at = new Date().toISOString();
  const log = (line: string) => ({ type: "log", log: { task: 0, stream: "stdout", line, at } });
  const events = await w.call("POST", `/api/worker/runs/${first.id}/events`, { instance: w.instance, events: [{ seq: 1, event: { type: "run.started", at } }, { seq: 2, event: log("one") }] });
  assert.deepEqual(events.json, { acked: 2 });
  assert.deepEqual((await w.call("POST", `/api/worker/runs/${first.id}/events`, { instance: w.instance, events: [{ seq: 3, event: log("two") }] })).json, { acked: 3 });
  const before = await db().run.findUniqueOrThrow({ where: { id: first.id }, select: { reportedSeq: true, logLines: true, status: true } });
  assertReplayed(await send(events.request), "events");
  assert.deepEqual(await db().run.findUniqueOrThrow({ where: { id: first.id }, select: { reportedSeq: true, logLines: true, status: true } }), before);

  // store: a replayed put would write the old document over the new one
  const coll = "levhub/hello.hello";
  const meta = { runId: first.id, owner: "alice", at };
  const put1 = await w.call("POST", `/api/worker/runs/${first.id}/store`, { instance: w.instance, op: "put", coll, task: 1, fields: { greeting: "old" }, meta });
  assert.equal(put1.status, 200, JSON.stringify(put1.json));
  assert.equal((await w.call("POST", `/api/worker/runs/${first.id}/store`, { instance: w.instance, op: "put", coll, task: 1, fields: { greeting: "new" }, meta })).status, 200);
  assertReplayed(await send(put1.request), "store");
  const { getResultStore } = await import("../results/results-store.ts");
  const job = (await db().run.findUniqueOrThrow({ where: { id: first.id } })).number;
  assert.equal((await (await getResultStore()).findOne(coll, job, 1, null, null))?.greeting, "new", "the newer document stands");

  // a download names its instance and its number like any other request
  const a = (poll.json as unknown as PollResponse).assign[0];
  const pkg = await w.call("GET", `/api/worker/packages/${a.package.sha256}`, undefined, { [INSTANCE_HEADER]: w.instance });
  assert.equal(pkg.status, 200);
  assertReplayed(await send(pkg.request), "download");

  // every recorded request but the registration, once more: all refused
  for (const r of w.recorded.slice(1)) assertReplayed(await send(r), `${r.method} ${r.path}`);
});

test("requests that overtake each other are admitted once each within the window; older, repeated or unnumbered ones are refused", async () => {
  const { db } = await import("../platform/db.ts");
  const w = await recordingWorker("window-1");
  const beat = (seq: number | null) =>
    send({
      method: "POST",
      path: "/api/worker/heartbeat",
      headers: { authorization: `Bearer ${w.token}`, "content-type": "application/json", [INSTANCE_HEADER]: w.instance, ...(seq === null ? {} : { [REQUEST_SEQ_HEADER]: String(seq) }) },
      body: JSON.stringify({ instance: w.instance, running: [] }),
    });
  // [number, admitted]: the highest so far moves 100 → 200; the window is the 64 numbers up to it
  const steps: [number, boolean][] = [
    [100, true],
    [90, true],
    [90, false],
    [100, false],
    [37, true],
    [37, false],
    [36, false],
    [200, true],
    [150, true],
    [137, true],
    [136, false],
    [199, true],
    [150, false],
    [201, true],
  ];
  for (const [seq, admitted] of steps) {
    const res = await beat(seq);
    if (admitted) assert.equal(res.status, 200, `${seq}: ${JSON.stringify(res.json)}`);
    else assertReplayed(res, `number ${seq}`);
  }
  const row = await db().worker.findUniqueOrThrow({ where: { instance: w.instance }, select: { requestSeq: true } });
  assert.equal(row.requestSeq, 201n);

  // thirty at once, numbered in a shuffled order: every one admitted
  const numbers = Array.from({ length: 30 }, (_, i) => 1000 + i).sort(() => Math.random() - 0.5);
  const answers = await Promise.all(numbers.map((n) => beat(n)));
  assert.deepEqual(answers.map((r) => r.status), numbers.map(() => 200), JSON.stringify(answers.find((r) => r.status !== 200)?.json));
  // … and each of them, again: all refused
  const again = await Promise.all(numbers.map((n) => beat(n)));
  for (const r of again) assertReplayed(r, "a repeated number");

  const unnumbered = await beat(null);
  assert.equal(unnumbered.status, 422);
  assert.match(unnumbered.json.error?.message ?? "", new RegExp(REQUEST_SEQ_HEADER));
  for (const bad of ["0", "-1", "1.5", "1e3", "abc", "99999999999999999"]) {
    const res = await send({
      method: "POST",
      path: "/api/worker/heartbeat",
      headers: { authorization: `Bearer ${w.token}`, "content-type": "application/json", [INSTANCE_HEADER]: w.instance, [REQUEST_SEQ_HEADER]: bad },
      body: JSON.stringify({ instance: w.instance, running: [] }),
    });
    assert.equal(res.status, 422, `number '${bad}'`);
  }

  // a lost instance says so (register again), whatever the number
  await db().worker.update({ where: { instance: w.instance }, data: { state: "lost" } });
  assert.equal((await beat(5000)).status, 410);
});

/** A proxy on a unix socket in front of the hub's that keeps a copy of every request (a body up to 1 MiB). */
async function recordingProxy(hubSocket: string, socket: string) {
  const recorded: Recorded[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === "string"));
      if (body.length <= 1024 * 1024) {
        const kept = { ...headers };
        delete kept.host;
        delete kept["content-length"];
        delete kept.connection;
        recorded.push({ method: req.method ?? "GET", path: req.url ?? "/", headers: kept, body: body.length ? body.toString() : null });
      }
      const up = http.request({ socketPath: hubSocket, method: req.method, path: req.url, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      up.on("error", () => res.destroy());
      res.on("close", () => up.destroy());
      up.end(body);
    });
  });
  await listenOnSocket(server, socket);
  return { recorded, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

test("a real worker's requests, recorded while it runs a run, replayed verbatim while it still runs: every one refused", async () => {
  const { createWorkerCredential } = await import("./credentials.ts");
  const { startWorker } = await import("../../runner/worker/worker.ts");
  const { startRun } = await import("../runs/index.ts");
  const { db } = await import("../platform/db.ts");
  await db().worker.updateMany({ where: { state: "online" }, data: { state: "stopped" } });
  await db().run.updateMany({ where: { status: { in: ["queued", "starting", "running"] } }, data: { status: "cancelled", endedAt: new Date() } });
  const proxy = await recordingProxy(routes.socket!, path.join(hub.dataDir, "recorder.sock"));
  const { token } = await createWorkerCredential(null, "recorded");
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const worker = await startWorker({
    hubUrl: `unix:${path.join(hub.dataDir, "recorder.sock")}`,
    token,
    name: "recorded",
    dataDir: mkdtempSync(path.join(tmpdir(), "levhub-recorded-")),
    capacity: 2,
    labels: { hostNetwork: false },
  });
  try {
    const run = await startRun(alice, { versionId, function: fnName, args });
    const done = await settled(alice, run.id, 90_000);
    assert.equal(done.status, "succeeded", JSON.stringify(done.error));
    await new Promise((r) => setTimeout(r, 700)); // a heartbeat or two more
    const byRoute = (p: RegExp) => proxy.recorded.filter((r) => p.test(r.path));
    for (const [what, p] of [
      ["heartbeat", /^\/api\/worker\/heartbeat$/],
      ["poll", /^\/api\/worker\/poll$/],
      ["events", /\/events$/],
      ["store", /\/store$/],
      ["package download", /^\/api\/worker\/packages\//],
    ] as const) {
      assert.ok(byRoute(p).length > 0, `the worker sent a ${what} request`);
    }
    const replays = proxy.recorded.filter((r) => r.path !== "/api/worker/register");
    for (const r of replays) {
      assert.ok(r.headers[REQUEST_SEQ_HEADER], `${r.method} ${r.path} carries a number`);
      assertReplayed(await send(r), `${r.method} ${r.path} #${r.headers[REQUEST_SEQ_HEADER]}`);
    }
    const seqs = proxy.recorded.map((r) => Number(r.headers[REQUEST_SEQ_HEADER]));
    assert.equal(new Set(seqs).size, seqs.length, "no two requests share a number");
  } finally {
    await worker.stop({ cancelRunning: true });
    await proxy.close();
  }
});
