/**
 * A user's device: a second Docker engine in a network namespace of its own stands for alice's
 * machine, and a worker with her device token serves it (as `lev agent` does, and once the real
 * `lev agent` process) against a hub on 127.0.0.1. A run sent to the device runs there (its
 * containers on that engine, none on the hub's), streams logs, stores results and can be
 * cancelled; bob's runs never reach it and its token reads nothing of his; a revoked device is
 * refused at once.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { startQueueCluster, type QueueCluster } from "../testing/queue-cluster.ts";
import { startSecondEngine, type SecondEngine } from "../testing/second-engine.ts";
import { documents, HELLO, IMAGE, logLines, noLeftovers, PROBE, REPO, settled, until, watchEngines } from "../testing/queue-faults.ts";
import type { PublishResult, RunSummary, Viewer } from "../types.ts";
import type { WorkerHandle } from "../../runner/worker/worker.ts";
import { INSTANCE_HEADER, REQUEST_SEQ_HEADER } from "../../runner/worker/protocol.ts";

let cluster: QueueCluster;
let device: SecondEngine;
let hello: PublishResult;
let probe: PublishResult;
let bob: Viewer;
let engines: Record<string, Docker>;
const dataDirs: string[] = [];
const handles: WorkerHandle[] = [];

const dataDir = (name: string) => {
  const d = mkdtempSync(path.join(tmpdir(), `levhub-agent-${name}-`));
  dataDirs.push(d);
  return d;
};

async function enrol(viewer: Viewer, name: string): Promise<{ id: string; token: string }> {
  const { createDevice } = await import("./devices.ts");
  const { item: d, token } = await createDevice(viewer, name);
  return { id: d.id, token };
}

/** What `lev agent` does: startWorker with the device token on the device's engine. */
async function agent(token: string, name: string): Promise<WorkerHandle> {
  const { startWorker } = await import("../../runner/worker/worker.ts");
  const h = await startWorker({ hubUrl: cluster.url, token, name, engine: device.engine(), dataDir: dataDir(name), capacity: 2, labels: { hostNetwork: false } });
  handles.push(h);
  return h;
}

async function run(viewer: Viewer, versionId: string, fn: string, args: Record<string, unknown>, deviceName?: string): Promise<RunSummary> {
  const { startRun } = await import("../runs/index.ts");
  return startRun(viewer, { versionId, function: fn, args, device: deviceName ?? null });
}

/**
 * A worker route called with a bearer credential, as an agent would (or a hostile one), naming a
 * running agent's instance (in the body, or `instance` for a download). Its number is the next
 * above what that agent sent so far: a number the agent already used would be refused as replayed
 * before the route looked at anything else.
 */
async function workerCall(token: string, method: "GET" | "POST", route: string, body?: { instance: string; [k: string]: unknown }, instance?: string) {
  const { db } = await import("../platform/db.ts");
  const named = instance ?? body?.instance ?? "";
  const row = await db().worker.findUnique({ where: { instance: named }, select: { requestSeq: true } });
  const res = await fetch(cluster.url + route, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      [REQUEST_SEQ_HEADER]: String(Number(row?.requestSeq ?? 0n) + 1),
      ...(named ? { [INSTANCE_HEADER]: named } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.text() };
}

before(async () => {
  [cluster, device] = await Promise.all([
    // heartbeats of 1 s: the 800 ms network cut below stays well short of three missed ones on a busy machine
    startQueueCluster({ heartbeatMs: 1000, queue: { totalRuns: 8, perUserRuns: 8 } }),
    startSecondEngine({ name: "device", bip: "10.217.0.1/24", addressPool: "10.218.0.0/16" }),
  ]);
  await device.loadImage(IMAGE);
  engines = { hub: new Docker(), device: device.docker };
  hello = await cluster.publishDirectory(HELLO);
  probe = await cluster.publishDirectory(PROBE);
  const { signUp } = await import("../accounts/users.ts");
  bob = await signUp({ email: "bob@example.org", username: "bob", password: "longenough" });
});
after(async () => {
  for (const h of handles) await h.stop({ cancelRunning: true }).catch(() => undefined);
  await cluster?.close();
  await device?.stop();
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
});

test("a run sent to alice's device runs on its engine only, streams logs and stores results; bob's runs never reach it", async () => {
  const laptop = await enrol(cluster.alice, "laptop");
  const h = await agent(laptop.token, "alice-box");
  assert.deepEqual(h.device, { id: laptop.id, name: "laptop" }, "the hub names the device at registration");
  const watch = await watchEngines(engines);
  try {
    // bob's ordinary run waits for a hub worker (there is none): alice's device polls all along and never takes it
    const bobs = await run(bob, hello.versionId, "greet.hello", { name: "bob" });
    const started = await run(cluster.alice, hello.versionId, "greet.hello", { name: "device" }, "laptop");
    const done = await settled(cluster.alice, started.id, 120_000);
    assert.equal(done.status, "succeeded", JSON.stringify(done.error));
    assert.equal(done.worker, "alice-box");
    assert.ok(logLines(done).includes("hello, device"), JSON.stringify(logLines(done)));
    const docs = await documents(cluster.alice, done.id);
    assert.deepEqual(docs.filter((d) => d.task === 1).map((d) => d.doc.greeting), ["hello, device"]);
    const created = watch.events.filter((e) => e.run === done.id && e.action === "create");
    assert.ok(created.length >= 2, `the workflow and the tool container were seen (${created.length})`);
    assert.deepEqual([...new Set(created.map((e) => e.engine))], ["device"], "the run's containers were on the device's engine only");
    await noLeftovers(engines, done.id);

    const { getRun } = await import("../runs/index.ts");
    const waiting = await getRun(bob, bobs.id);
    assert.equal(waiting.status, "queued", "bob's run is not alice's device's to take");
    assert.equal(waiting.worker, null);
    assert.equal(watch.events.filter((e) => e.run === bobs.id).length, 0);
    const { cancelRun } = await import("../runs/index.ts");
    await cancelRun(bob, bobs.id);
  } finally {
    watch.stop();
  }
});

test("nobody else may send a run to alice's device; a device token reads nothing of bob's runs or packages", async () => {
  const { AppError } = await import("../errors.ts");
  await assert.rejects(run(bob, hello.versionId, "greet.hello", { name: "x" }, "laptop"), (e: unknown) => e instanceof AppError && e.code === "not_found");

  const desk = await enrol(cluster.alice, "desk");
  const h = await agent(desk.token, "alice-desk");
  // bob's run on a device of his own, held by his device's worker on the same engine
  const bobDev = await enrol(bob, "bobs");
  const bh = await agent(bobDev.token, "bob-box");
  const bobs = await run(bob, probe.versionId, "tick", { n: 120, every: 0.5 }, "bobs");
  await until(bob, bobs.id, "a tick", (r) => logLines(r).some((l) => l.startsWith("tick ")));
  const { versionArchive } = await import("../packages/version-archive.ts");
  const { db } = await import("../platform/db.ts");
  const dir = (await db().packageVersion.findUniqueOrThrow({ where: { id: probe.versionId } })).dir;
  const sha = (await versionArchive(dir)).sha256;

  const events = await workerCall(desk.token, "POST", `/api/worker/runs/${bobs.id}/events`, { instance: h.instance, events: [{ seq: 999, event: { type: "run.started", at: new Date().toISOString() } }] });
  assert.equal(events.status, 404, events.body);
  const store = await workerCall(desk.token, "POST", `/api/worker/runs/${bobs.id}/store`, {
    instance: h.instance,
    op: "put",
    coll: "faults/probe.tick",
    task: 1,
    fields: { forged: true },
    meta: { runId: bobs.id, owner: "bob", at: new Date().toISOString() },
  });
  assert.equal(store.status, 404, store.body);
  const pkg = await workerCall(desk.token, "GET", `/api/worker/packages/${sha}`, undefined, h.instance);
  assert.equal(pkg.status, 404, pkg.body);
  // the same archive is bob's device's to fetch: the 404 above is the scope, not a missing file
  const own = await workerCall(bobDev.token, "GET", `/api/worker/packages/${sha}`, undefined, bh.instance);
  assert.equal(own.status, 200, own.body.slice(0, 200));
  // another device's instance is not alice's desk's to name
  const other = await workerCall(desk.token, "POST", "/api/worker/heartbeat", { instance: bh.instance, running: [] });
  assert.equal(other.status, 404, other.body);

  const { cancelRun } = await import("../runs/index.ts");
  await cancelRun(bob, bobs.id);
  const cancelled = await settled(bob, bobs.id, 60_000);
  assert.equal(cancelled.status, "cancelled");
  assert.ok(!(await documents(bob, bobs.id)).some((d) => (d.doc as Record<string, unknown>).forged), "nothing forged was stored");
  await noLeftovers(engines, bobs.id, 20_000);
});

test("a revoked device is refused at once: its running run ends failed, its token is 401, its agent stops", async () => {
  const phone = await enrol(cluster.alice, "phone");
  const h = await agent(phone.token, "alice-phone");
  const started = await run(cluster.alice, probe.versionId, "tick", { n: 120, every: 0.5 }, "phone");
  await until(cluster.alice, started.id, "a tick", (r) => r.worker === "alice-phone" && logLines(r).some((l) => l.startsWith("tick ")));
  const { revokeDevice } = await import("./devices.ts");
  await revokeDevice(cluster.alice, phone.id);
  const hb = await workerCall(phone.token, "POST", "/api/worker/heartbeat", { instance: h.instance, running: [] });
  assert.equal(hb.status, 401, hb.body);
  const ended = await settled(cluster.alice, started.id, 10_000);
  assert.equal(ended.status, "failed");
  assert.match(ended.error?.message ?? "", /device revoked/);
  // the agent hears 401 on its next poll, cancels what runs and stops
  await Promise.race([h.done, new Promise((_, reject) => setTimeout(() => reject(new Error("the revoked agent did not stop")), 60_000))]);
  await noLeftovers(engines, started.id, 20_000);
  const { AppError } = await import("../errors.ts");
  await assert.rejects(run(cluster.alice, hello.versionId, "greet.hello", { name: "x" }, "phone"), (e: unknown) => e instanceof AppError && e.code === "validation");
});

test("the real `lev agent` process: connects as the device, runs a run sent to it, Ctrl-C finishes and exits 0", async () => {
  const box = await enrol(cluster.alice, "workstation");
  const env: NodeJS.ProcessEnv = { ...process.env, LEV_URL: cluster.url, LEV_AGENT_TOKEN: box.token, DOCKER_HOST: device.dockerHost };
  const child = spawn(process.execPath, [path.join(REPO, "runner/cli/lev.mjs"), "agent", "--name", "ws", "--capacity", "1", "--data-dir", dataDir("ws")], {
    cwd: REPO,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    const t0 = Date.now();
    while (!out.includes("connected as device workstation")) {
      if (Date.now() - t0 > 60_000 || child.exitCode !== null) throw new Error(`lev agent did not connect:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const started = await run(cluster.alice, probe.versionId, "tick", { n: 6, every: 0.5 }, "workstation");
    await until(cluster.alice, started.id, "a tick", (r) => r.worker === "ws" && logLines(r).some((l) => l.startsWith("tick ")));
    // the first Ctrl-C: the running run finishes, nothing new is taken
    child.kill("SIGINT");
    const done = await settled(cluster.alice, started.id, 60_000);
    assert.equal(done.status, "succeeded", JSON.stringify(done.error));
    assert.equal(await exited, 0, out);
    assert.match(out, /taking no new one/);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});

test("the hub restarted and the agent's network cut mid-run lose nothing: every tick and the result arrive once", async () => {
  const { startTcpProxy } = await import("../testing/tcp-proxy.ts");
  const { startWorker } = await import("../../runner/worker/worker.ts");
  // the agent reaches the hub through a link the test can cut
  const link = await startTcpProxy({ port: Number(new URL(cluster.url).port) });
  try {
    const tablet = await enrol(cluster.alice, "tablet");
    const h = await startWorker({ hubUrl: `http://127.0.0.1:${link.port}`, token: tablet.token, name: "alice-tablet", engine: device.engine(), dataDir: dataDir("tablet"), capacity: 1, labels: { hostNetwork: false } });
    handles.push(h);
    const started = await run(cluster.alice, probe.versionId, "tick", { n: 16, every: 0.3 }, "tablet");
    await until(cluster.alice, started.id, "the second tick", (r) => logLines(r).includes("tick 2 of 16"));
    // ticks go on while nobody hears them: the agent keeps its events and sends them again
    await cluster.restartHub();
    await until(cluster.alice, started.id, "a tick after the restart", (r) => logLines(r).some((l) => /^tick ([6-9]|1\d) of 16$/.test(l)), 30_000);
    // shorter than three heartbeats: a cut, not a lost device
    await link.down();
    await new Promise((r) => setTimeout(r, 800));
    await link.up();
    const done = await settled(cluster.alice, started.id, 60_000);
    assert.equal(done.status, "succeeded", JSON.stringify(done.error));
    assert.equal(done.worker, "alice-tablet");
    assert.deepEqual(
      logLines(done).filter((l) => l.startsWith("tick ")),
      Array.from({ length: 16 }, (_, i) => `tick ${i + 1} of 16`),
    );
    const docs = (await documents(cluster.alice, done.id)).filter((d) => d.task === 1);
    assert.deepEqual(docs.map((d) => ({ ticks: d.doc.ticks, done: d.doc.done })), [{ ticks: 16, done: true }]);
    await noLeftovers(engines, done.id);
  } finally {
    await link.close();
  }
});
