/**
 * Debug terminals end to end on real engines, with the browser's side and the worker's side on
 * two hub processes: this test process opens sessions, types and reads (lib/debug, as the
 * browser's routes do), while the workers reach the hub web process of a queue cluster (its own
 * process) — the bytes cross only PostgreSQL. A paused task on the hub's worker and on a device
 * (a second Docker engine in its own network namespace): `id` says uid 65534, continue runs the
 * entry, the session ends with the task. Then the refusals and the attacks: a run of a project one
 * is no member of, a member of the run's project, someone else's session, an admin, a granted run, a run holding a secret, an input flood, a worker writing into
 * a session it does not serve, escape sequences a task prints.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startQueueCluster, type QueueCluster } from "../testing/queue-cluster.ts";
import { startSecondEngine, type SecondEngine } from "../testing/second-engine.ts";
import { IMAGE, PROBE, settled, until } from "../testing/queue-faults.ts";
import { callRoute, callWorkerRoute } from "../testing/route-server.ts";
import type { PublishResult, RunDetail, Viewer } from "../types.ts";
import type { WorkerHandle } from "../../runner/worker/worker.ts";
import type { DebugStreamEvent } from "./types.ts";
import { INSTANCE_HEADER, PROTOCOL_VERSION } from "../../runner/worker/protocol.ts";

let cluster: QueueCluster;
let device: SecondEngine;
let probe: PublishResult;
let bob: Viewer;
let root: Viewer;
/** an operator of alice's team project "dbgteam": sees its runs, may run there, and is not their owner */
let carol: Viewer;
let bobToken: string;
const handles: WorkerHandle[] = [];
const dirs: string[] = [];

before(async () => {
  [cluster, device] = await Promise.all([
    startQueueCluster({ queue: { totalRuns: 8, perUserRuns: 8 } }),
    startSecondEngine({ name: "dbg", bip: "10.219.0.1/24", addressPool: "10.220.0.0/16" }),
  ]);
  await device.loadImage(IMAGE);
  probe = await cluster.publishDirectory(PROBE);
  const { signUp, setUserRoleByEmail } = await import("../accounts/users.ts");
  const { createToken } = await import("../accounts/tokens.ts");
  bob = await signUp({ email: "bob@example.org", username: "bob", password: "longenough" });
  bobToken = (await createToken(bob, { name: "bob" })).token;
  const r = await signUp({ email: "root@example.org", username: "operator", password: "longenough" });
  await setUserRoleByEmail("root@example.org", "admin");
  root = { ...r, role: "admin" };
  carol = await signUp({ email: "carol@example.org", username: "carol", password: "longenough" });
  const { createProject } = await import("../projects/projects.ts");
  const { addMember } = await import("../projects/members.ts");
  await createProject(cluster.alice, { slug: "dbgteam", name: "Debug team", description: "", client: "" });
  await addMember(cluster.alice, "dbgteam", { username: "carol", role: "operator" });
  // hostNetwork: it also takes the granted run of the last test
  await cluster.startWorker({ name: "hubworker", capacity: 4, hostNetwork: true });
});
after(async () => {
  for (const h of handles) await h.stop({ cancelRunning: true }).catch(() => undefined);
  await cluster?.close();
  await device?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A run of probe.tick that pauses before its entry, once its task runs (paused). */
async function pausedTick(viewer: Viewer, args: { n: number; every: number }, where: { device?: string; project?: string } = {}): Promise<RunDetail> {
  const { startRun } = await import("../runs/index.ts");
  const run = await startRun(viewer, { versionId: probe.versionId, function: "tick", args, debugPause: true, device: where.device ?? null, project: where.project ?? null });
  return until(viewer, run.id, "a paused task", (r) => r.tasks.some((t) => t.number === 1 && t.status === "running") && r.logs.some((l) => /waits for a debugger/.test(l.line)), 90_000);
}

/** Reads a session as the browser does, collecting its output and events. */
async function terminal(viewer: Viewer, sessionId: string) {
  const { debugEvents } = await import("./sessions.ts");
  const abort = new AbortController();
  const events: DebugStreamEvent[] = [];
  let text = "";
  const reading = (async () => {
    for await (const ev of debugEvents(viewer, sessionId, abort.signal)) {
      events.push(ev);
      if (ev.type === "output") text += ev.text;
      if (ev.type === "end") return;
    }
  })();
  const waitFor = async (what: string, cond: () => boolean, ms = 30_000) => {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`no ${what} within ${ms / 1000} s; output so far: ${JSON.stringify(text.slice(-2000))}; events: ${JSON.stringify(events.filter((e) => e.type !== "output"))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { events, text: () => text, waitFor, reading, stop: () => abort.abort() };
}

const ended = (events: DebugStreamEvent[]) => events.find((e): e is Extract<DebugStreamEvent, { type: "end" }> => e.type === "end") ?? null;

async function debugThrough(viewer: Viewer, run: RunDetail) {
  const { openDebugSession, debugInput } = await import("./sessions.ts");
  const session = await openDebugSession(viewer, run.id, { task: 1, cols: 100, rows: 30 });
  assert.equal(session.state, "pending");
  const t = await terminal(viewer, session.id);
  await t.waitFor("open state", () => t.events.some((e) => e.type === "state" && e.state === "open" && e.paused));
  await debugInput(viewer, session.id, { data: "id; echo marker-$((6*7))\r" });
  await t.waitFor("id's answer", () => /uid=65534\(nobody\) gid=65534/.test(t.text()) && t.text().includes("marker-42"));
  // the shell has no capability and is not the task's root, whatever the task runs as
  await debugInput(viewer, session.id, { data: "grep CapEff /proc/self/status; cat /proc/1/cmdline | tr '\\0' ' '; echo\r" });
  await t.waitFor("the capability line", () => /CapEff:\s+0000000000000000/.test(t.text()));
  assert.match(t.text(), /levrt\._tool/, "the shell is inside the task's own container");
  return { session, t };
}

test("a paused task on the hub's worker: a shell as uid 65534 through the relay, continue runs the entry, the session ends when the task ends", async () => {
  const run = await pausedTick(cluster.alice, { n: 4, every: 0.3 });
  assert.equal(run.logs.some((l) => l.line.startsWith("tick ")), false, "nothing of the entry ran while paused");
  const { session, t } = await debugThrough(cluster.alice, run);
  const { debugInput } = await import("./sessions.ts");
  await debugInput(cluster.alice, session.id, { resize: { cols: 120, rows: 40 } });
  await debugInput(cluster.alice, session.id, { data: "stty size\r" });
  await t.waitFor("the new size", () => t.text().includes("40 120"));
  await debugInput(cluster.alice, session.id, { continue: true });
  await t.waitFor("the task continuing", () => t.events.some((e) => e.type === "state" && !e.paused));
  await t.reading;
  assert.equal(ended(t.events)?.reason, "task_ended");
  const done = await settled(cluster.alice, run.id, 60_000);
  assert.equal(done.status, "succeeded", JSON.stringify(done.error));
  assert.ok(done.logs.some((l) => l.line === "tick 4 of 4"));
  const { db } = await import("../platform/db.ts");
  const audit = await db().auditEvent.findMany({ where: { target: session.id }, orderBy: { id: "asc" } });
  assert.deepEqual(audit.map((a) => a.action), ["debug.start", "debug.end"]);
  const end = audit[1].data as { reason: string; bytesIn: number; bytesOut: number };
  assert.equal(end.reason, "task_ended");
  assert.ok(end.bytesIn > 20 && end.bytesOut > 100, JSON.stringify(end));
  assert.equal(audit[1].actorId, cluster.alice.id);
});

test("a paused task on a device (a second engine, the agent over TCP): the same terminal, and closing it hangs the shell up", async () => {
  const { createDevice } = await import("../devices/devices.ts");
  const { token } = await createDevice(cluster.alice, "laptop");
  const { startWorker } = await import("../../runner/worker/worker.ts");
  const dir = mkdtempSync(path.join(tmpdir(), "levhub-debug-device-"));
  dirs.push(dir);
  handles.push(await startWorker({ hubUrl: cluster.url, token, name: "laptop", engine: device.engine(), dataDir: dir, capacity: 2, labels: { hostNetwork: false } }));
  const run = await pausedTick(cluster.alice, { n: 2, every: 0.2 }, { device: "laptop" });
  assert.equal(run.device, "laptop");
  const { session, t } = await debugThrough(cluster.alice, run);
  // the device's own network namespace: its docker0, not the hub's
  const { debugInput, closeDebugSession } = await import("./sessions.ts");
  await debugInput(cluster.alice, session.id, { data: "sleep 1000 & echo started-$!\r" });
  await t.waitFor("a background job", () => /started-\d+/.test(t.text()));
  const view = await closeDebugSession(cluster.alice, session.id);
  assert.equal(view.state, "ended");
  await t.reading;
  assert.equal(ended(t.events)?.reason, "closed");
  // the shell is gone from the task's container: only the entry runs there
  const docker = device.docker;
  const [c] = await docker.listContainers({ filters: JSON.stringify({ label: [`zone.lev.run=${run.id}`, "zone.lev.role=tool"] }) });
  const deadline = Date.now() + 10_000;
  let procs: string[] = [];
  for (;;) {
    procs = (await docker.getContainer(c.Id).top()).Processes.map((p: string[]) => p.join(" "));
    if (!procs.some((p) => /bash -i|sh -i/.test(p)) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(!procs.some((p) => /bash -i|sh -i/.test(p)), `the shell was hung up: ${procs.join(" | ")}`);
  const { cancelRun } = await import("../runs/index.ts");
  await cancelRun(cluster.alice, run.id);
});

test("refusals: a run of a project one is no member of, a member of its project, someone else's session, an admin, a task that is not running, a granted run, a run holding a secret", async () => {
  const { openDebugSession, debugInput, debugSession, debugAvailability } = await import("./sessions.ts");
  const run = await pausedTick(cluster.alice, { n: 1, every: 0.1 }, { project: "dbgteam" });
  // the run named by its number, as pages and the CLI name it
  const session = await openDebugSession(cluster.alice, `#${run.number}`, { task: 1, cols: 80, rows: 24 });
  assert.equal(session.runId, run.id);
  const code = (e: unknown) => (e as { code?: string }).code;
  await assert.rejects(openDebugSession(bob, run.id, { task: 1, cols: 80, rows: 24 }), (e) => code(e) === "not_found");
  await assert.rejects(debugAvailability(bob, String(run.number)), (e) => code(e) === "not_found");
  for (const who of [root, carol]) {
    await assert.rejects(openDebugSession(who, run.id, { task: 1, cols: 80, rows: 24 }), (e) => code(e) === "forbidden" && /only the run's owner/.test((e as Error).message), who.username);
    assert.deepEqual(await debugAvailability(who, run.id), { allowed: false, refusal: "not_owner", message: "only the run's owner may open a terminal into its tasks: a shell there holds the owner's arguments, files and results" });
  }
  assert.deepEqual(await debugAvailability(cluster.alice, run.id), { allowed: true });
  await assert.rejects(openDebugSession(cluster.alice, run.id, { task: 7, cols: 80, rows: 24 }), (e) => code(e) === "conflict");
  // bob, the project's operator and the admin cannot read or type into alice's session, over HTTP either
  await assert.rejects(debugSession(root, session.id), (e) => code(e) === "not_found");
  await assert.rejects(debugSession(carol, session.id), (e) => code(e) === "not_found");
  await assert.rejects(debugInput(carol, session.id, { data: "id\r" }), (e) => code(e) === "not_found");
  await assert.rejects(debugInput(bob, session.id, { data: "id\r" }), (e) => code(e) === "not_found");
  assert.equal((await callRoute(cluster.url, bobToken, "POST", `/api/debug/${session.id}/input`, { data: "id\r" })).status, 404);
  assert.equal((await callRoute(cluster.url, bobToken, "GET", `/api/debug/${session.id}/events`)).status, 404);
  assert.equal((await callRoute(cluster.url, bobToken, "DELETE", `/api/debug/${session.id}`)).status, 404);
  assert.equal((await callRoute(cluster.url, bobToken, "POST", `/api/runs/${run.id}/debug`, { task: 1, cols: 80, rows: 24 })).status, 404);
  const { db } = await import("../platform/db.ts");
  assert.equal(await db().debugFrame.count({ where: { sessionId: session.id, dir: "in" } }), 0, "nothing bob sent was kept");
  assert.equal((await debugSession(cluster.alice, session.id)).state !== "ended", true);

  // a run holding a secret: a typed reference that is not the owner's own file (project secrets)
  await db().run.update({ where: { id: run.id }, data: { args: { n: 1, every: 0.1, token: { $lev: "secret", id: "s".repeat(20) } } } });
  await assert.rejects(openDebugSession(cluster.alice, run.id, { task: 1, cols: 80, rows: 24 }), (e) => code(e) === "forbidden" && /holds a secret/.test((e as Error).message));
  const refused = await db().auditEvent.findMany({ where: { action: "debug.refused", target: run.id } });
  assert.ok(refused.some((a) => (a.data as { refusal: string }).refusal === "secret"));
  assert.deepEqual(new Set(refused.map((a) => (a.data as { refusal: string }).refusal)), new Set(["not_owner", "task_not_running", "secret"]), "the admin's and the operator's refusals too; bob's 404 is no event");
  const team = await db().project.findUniqueOrThrow({ where: { slug: "dbgteam" } });
  assert.ok(refused.every((a) => a.projectId === team.id), "in the project's audit");
  const { cancelRun } = await import("../runs/index.ts");
  await cancelRun(cluster.alice, run.id);
  const over = await settled(cluster.alice, run.id, 60_000);
  assert.equal(over.status, "cancelled");
  await assert.rejects(openDebugSession(cluster.alice, run.id, { task: 1, cols: 80, rows: 24 }), (e) => code(e) === "forbidden" || code(e) === "conflict");
});

test("attacks: an input flood, a worker writing into a session it does not serve, escape sequences the task prints", async () => {
  const { openDebugSession, debugInput } = await import("./sessions.ts");
  const run = await pausedTick(cluster.alice, { n: 1, every: 0.1 });
  const { session, t } = await debugThrough(cluster.alice, run);

  // escape sequences a task prints: the clipboard (OSC 52) and title strings never reach the terminal; colours do
  await debugInput(cluster.alice, session.id, { data: "printf 'a\\033]52;c;cHduZWQ=\\007b\\033]0;evil\\007c\\033[31mred\\033[0m\\n'\r" });
  await t.waitFor("the printed line", () => t.text().includes("abc\x1b[31mred"));
  assert.ok(!t.text().includes("\x1b]"), "no OSC sequence reached the terminal");

  // another worker credential, with a live instance of its own, names alice's session
  const intruder = await cluster.workerToken("intruder");
  const reg = await callWorkerRoute<{ instance: string }>(cluster.url, intruder, "POST", "/api/worker/register", {
    protocol: PROTOCOL_VERSION,
    name: "intruder",
    version: "0",
    engine: { host: "x", version: "0" },
    capacity: 1,
    labels: { hostNetwork: false },
  });
  assert.equal(reg.status, 201);
  const forged = await callWorkerRoute(cluster.url, intruder, "POST", `/api/worker/debug/${session.id}/output`, { frames: [{ seq: 1, data: Buffer.from("uid=0(root)\n").toString("base64") }], acked: 0 }, { [INSTANCE_HEADER]: reg.json.instance });
  assert.equal(forged.status, 404);
  const stream = await callWorkerRoute(cluster.url, intruder, "POST", `/api/worker/debug/${session.id}/stream`, { after: 0 }, { [INSTANCE_HEADER]: reg.json.instance });
  assert.equal(stream.status, 404);
  assert.ok(!t.text().includes("uid=0(root)"));
  // a user's token is no worker credential
  assert.equal((await callRoute(cluster.url, cluster.aliceToken, "POST", `/api/worker/debug/${session.id}/output`, { frames: [], acked: 0 })).status, 401);

  // input past the cap of one request, and a flood the shell does not take fast enough
  await assert.rejects(debugInput(cluster.alice, session.id, { data: "x".repeat(5000) }), (e) => (e as { code?: string }).code === "too_large");
  assert.equal((await callRoute(cluster.url, cluster.aliceToken, "POST", `/api/debug/${session.id}/input`, { data: "x".repeat(5000) })).status, 422);
  // the shell sleeps without reading: the terminal's and the sockets' buffers fill, the worker takes
  // no more, and input piles up in the relay until its cap, then is refused
  await debugInput(cluster.alice, session.id, { data: "stty -icanon -echo; sleep 60\r" });
  let refusedAt = 0;
  for (let i = 1; i <= 1000; i++) {
    try {
      await debugInput(cluster.alice, session.id, { data: "y".repeat(4000) });
    } catch (e) {
      assert.equal((e as { code?: string }).code, "rate_limited");
      refusedAt = i;
      break;
    }
  }
  const { db } = await import("../platform/db.ts");
  const [{ pending }] = await db().$queryRaw<{ pending: bigint }[]>`SELECT coalesce(sum(length(data)), 0) AS pending FROM "DebugFrame" WHERE "sessionId" = ${session.id} AND dir = 'in'`;
  assert.ok(refusedAt > 0, "the flood was refused");
  assert.ok(Number(pending) <= 64 * 1024, `at most the cap waits in the relay (${pending} bytes)`);

  // two sessions per task at most
  const second = await openDebugSession(cluster.alice, run.id, { task: 1, cols: 80, rows: 24 });
  await assert.rejects(openDebugSession(cluster.alice, run.id, { task: 1, cols: 80, rows: 24 }), (e) => (e as { code?: string }).code === "conflict");
  assert.ok(second.id);
  t.stop();
  const { cancelRun } = await import("../runs/index.ts");
  await cancelRun(cluster.alice, run.id);
});

test("lev debug: the same terminal from a user's own terminal, Ctrl-] c continues the paused task, Ctrl-] q leaves", async () => {
  const { spawn } = await import("node:child_process");
  const { REPO } = await import("../testing/queue-faults.ts");
  const run = await pausedTick(cluster.alice, { n: 2, every: 0.1 });
  const child = spawn(process.execPath, [path.join(REPO, "runner/cli/lev.mjs"), "debug", run.id, "1"], {
    env: { ...process.env, LEV_URL: cluster.url, LEV_TOKEN: cluster.aliceToken, NODE_OPTIONS: "" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const waitFor = async (what: string, cond: () => boolean) => {
    const deadline = Date.now() + 30_000;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`lev debug: no ${what}; stdout ${JSON.stringify(out.slice(-1000))} stderr ${JSON.stringify(err.slice(-1000))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await waitFor("open session", () => /waits before its entry/.test(err));
  child.stdin.write("id\r");
  await waitFor("id's answer", () => /uid=65534\(nobody\)/.test(out));
  child.stdin.write("\x1dc");
  await waitFor("continue", () => /continue sent/.test(err));
  const done = await settled(cluster.alice, run.id, 60_000);
  assert.equal(done.status, "succeeded", JSON.stringify(done.error));
  assert.equal(await exited, 0, err);
  assert.match(err, /session ended: the task ended/);
});

// last: the grant it makes on the probe package would keep every later run of it from pausing
test("a granted run cannot be debugged, and its tasks do not pause", async () => {
  const { setGrant } = await import("../policy/grants.ts");
  await setGrant(root, { namespace: probe.namespace, package: probe.name, network: "bridge", caps: ["NET_RAW"] });
  const { startRun, cancelRun } = await import("../runs/index.ts");
  const run = await startRun(cluster.alice, { versionId: probe.versionId, function: "tick", args: { n: 100, every: 0.2 }, debugPause: true });
  const running = await until(cluster.alice, run.id, "a tick", (r) => r.logs.some((l) => l.line.startsWith("tick ")), 90_000);
  assert.ok(running.logs.some((l) => /does not pause before its entry: it may not be debugged/.test(l.line)));
  const { openDebugSession } = await import("./sessions.ts");
  await assert.rejects(openDebugSession(cluster.alice, run.id, { task: 1, cols: 80, rows: 24 }), (e) => (e as { code?: string }).code === "forbidden" && /grant/.test((e as Error).message));
  await cancelRun(cluster.alice, run.id);
});
