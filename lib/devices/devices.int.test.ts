/**
 * The hub's side of devices, driven over HTTP as an agent and a user would (no Docker: the test
 * speaks the worker protocol itself, so every answer can be checked): enrolment, the device token
 * in the worker routes, which runs a device may take (only its owner's, only those sent to it),
 * the submit's refusals, and revoking at once. The real agent on its own engine is
 * lib/devices/agent.int.test.ts.
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
let root: Viewer;
let alice: Viewer;
let bob: Viewer;
let aliceApi: string;
let bobApi: string;
let versionId: string;
let fnName: string;
let args: Record<string, unknown>;

before(async () => {
  process.env.LEVHUB_WORKER_HEARTBEAT_MS = "300";
  hub = await startTestHub();
  routes = await serveRoutes();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  ({ root, alice, bob } = await signUpTestUsers());
  const { createToken } = await import("../accounts/tokens.ts");
  aliceApi = (await createToken(alice, { name: "api" })).token;
  bobApi = (await createToken(bob, { name: "api" })).token;
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
/** a request of a hand-driven agent: with the next request sequence number */
const work = <T>(token: string, method: string, route: string, body?: unknown) => callWorkerRoute<T>(routes.url, token, method, route, body);

async function register(token: string, name: string) {
  const reg = await work<RegisterResponse>(token, "POST", "/api/worker/register", {
    protocol: PROTOCOL_VERSION,
    name,
    version: "test-agent",
    engine: { host: "unix:///nowhere", version: "27.0" },
    capacity: 2,
    labels: { hostNetwork: false },
  });
  assert.equal(reg.status, 201, JSON.stringify(reg.json));
  const poll = async (free = 2) => {
    const r = await work<PollResponse>(token, "POST", "/api/worker/poll", { instance: reg.json.instance, free, waitMs: 0 });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    return r.json;
  };
  return { token, reg: reg.json, instance: reg.json.instance, poll };
}

async function addDevice(apiToken: string, name: string) {
  const r = await call<{ device: { id: string; name: string; state: string }; token: string }>(apiToken, "POST", "/api/devices", { name });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json;
}

async function runOn(apiToken: string, device?: string) {
  return call<{ id: string; status: string; error?: { message: string } }>(apiToken, "POST", "/api/runs", { versionId, function: fnName, args, ...(device ? { device } : {}) });
}

test("enrolment: an ldv_ token shown once, a device that shows online once its agent registers; names are per owner", async () => {
  const { device, token } = await addDevice(aliceApi, "laptop");
  assert.match(token, /^ldv_[A-Za-z0-9_-]{43}$/);
  assert.equal(device.state, "never connected");
  // the same name again is a conflict for alice, and fine for bob
  const dup = await call<{ error: { code: string } }>(aliceApi, "POST", "/api/devices", { name: "laptop" });
  assert.equal(dup.status, 409);
  await addDevice(bobApi, "laptop");
  const bad = await call<{ error: { code: string } }>(aliceApi, "POST", "/api/devices", { name: "../x" });
  assert.equal(bad.status, 422);

  const agent = await register(token, "laptop");
  assert.deepEqual(agent.reg.device, { id: device.id, name: "laptop" });
  const list = await call<{ id: string; name: string; state: string; version: string; capacity: number; engine: string }[]>(aliceApi, "GET", "/api/devices");
  const mine = list.json.find((d) => d.id === device.id)!;
  assert.deepEqual([mine.state, mine.version, mine.capacity], ["online", "test-agent", 2]);
  assert.match(mine.engine, /unix:\/\/\/nowhere/);
  // bob sees only his own
  const bobs = await call<{ id: string }[]>(bobApi, "GET", "/api/devices");
  assert.ok(!bobs.json.some((d) => d.id === device.id));
  assert.equal((await call(bobApi, "GET", `/api/devices/${device.id}`)).status, 404);
  assert.equal((await call(bobApi, "PATCH", `/api/devices/${device.id}`, { name: "mine" })).status, 404);
  assert.equal((await call(bobApi, "DELETE", `/api/devices/${device.id}`)).status, 404);

  // a device token is a worker credential, nothing a user may do; a user token is no worker
  assert.equal((await call(token, "GET", "/api/runs")).status, 401);
  assert.equal((await call(token, "GET", "/api/devices")).status, 401);
  assert.equal((await work(aliceApi, "POST", "/api/worker/poll", { instance: agent.instance, free: 1, waitMs: 0 })).status, 401);
});

test("placement: a run sent to my device waits for it alone; the device takes nothing else", async () => {
  const { createWorkerCredential } = await import("../queue/credentials.ts");
  const { device, token } = await addDevice(aliceApi, "workstation");
  const agent = await register(token, "workstation");
  const hubWorker = await register((await createWorkerCredential(null, "hub-w")).token, "hub-w");
  const bobDevice = await addDevice(bobApi, "bobbox");
  const bobAgent = await register(bobDevice.token, "bobbox");

  const toDevice = await runOn(aliceApi, "workstation");
  assert.equal(toDevice.status, 201, JSON.stringify(toDevice.json));
  const { db } = await import("../platform/db.ts");
  const row = await db().run.findUniqueOrThrow({ where: { id: toDevice.json.id } });
  assert.deepEqual([row.deviceId, row.queue], [device.id, `levhub-device-${device.id}`]);
  // alice's hub run and bob's hub run wait for hub workers
  const aliceHub = await runOn(aliceApi);
  const bobHub = await runOn(bobApi);

  assert.deepEqual((await bobAgent.poll()).assign, [], "bob's device takes nothing of alice's, nor hub runs");
  const byDevice = await agent.poll();
  assert.deepEqual(byDevice.assign.map((a) => a.runId), [toDevice.json.id]);
  assert.deepEqual((await agent.poll()).assign, [], "the device never takes hub runs");
  const byHub = await hubWorker.poll(8);
  assert.deepEqual(byHub.assign.map((a) => a.runId).sort(), [aliceHub.json.id, bobHub.json.id].sort());

  // the device holds its run: it may report on it; bob's device may not, and not on the hub's runs
  const started = { instance: agent.instance, events: [{ seq: 1, event: { type: "run.started", at: new Date().toISOString() } }] };
  assert.equal((await work(token, "POST", `/api/worker/runs/${toDevice.json.id}/events`, started)).status, 200);
  const foreign = { instance: bobAgent.instance, events: [{ seq: 1, event: { type: "run.started", at: new Date().toISOString() } }] };
  assert.equal((await work(bobDevice.token, "POST", `/api/worker/runs/${toDevice.json.id}/events`, foreign)).status, 404);
  assert.equal((await work(token, "POST", `/api/worker/runs/${bobHub.json.id}/events`, started)).status, 404);
  assert.equal((await work(token, "POST", `/api/worker/runs/${bobHub.json.id}/store`, { instance: agent.instance, op: "findRun", coll: "x" })).status, 404);
  const sha = byHub.assign[0].package.sha256;
  const pkg = await fetch(`${routes.url}/api/worker/packages/${sha}`, { headers: { authorization: `Bearer ${bobDevice.token}`, ...workerHeaders(bobAgent.instance) } });
  assert.equal(pkg.status, 404);
  // a device's registration learns only its own lost instances, never the hub's
  const again = await register(token, "workstation");
  const hubInstances = (await db().worker.findMany({ where: { credential: { ownerId: null } }, select: { instance: true } })).map((w) => w.instance);
  assert.ok(!again.reg.lostInstances.some((i) => hubInstances.includes(i)));
  await db().worker.updateMany({ where: { instance: { in: [hubWorker.instance, again.instance] } }, data: { state: "stopped" } });
});

test("the submit refuses someone else's device (404) and a revoked one (422), and names no device that is not mine", async () => {
  await addDevice(bobApi, "bob-only");
  const other = await runOn(aliceApi, "bob-only");
  assert.equal(other.status, 404);
  const none = await runOn(aliceApi, "no-such-device");
  assert.equal(none.status, 404);
  const { device } = await addDevice(aliceApi, "old-box");
  assert.equal((await call(aliceApi, "DELETE", `/api/devices/${device.id}`)).status, 200);
  const revoked = await runOn(aliceApi, "old-box");
  assert.equal(revoked.status, 422, JSON.stringify(revoked.json));
});

test("revoking: the next agent request is 401, its running and queued runs end failed 'device revoked'", async () => {
  const { device, token } = await addDevice(aliceApi, "to-revoke");
  const agent = await register(token, "to-revoke");
  const running = await runOn(aliceApi, "to-revoke");
  assert.deepEqual((await agent.poll(1)).assign.map((a) => a.runId), [running.json.id]);
  const waiting = await runOn(aliceApi, "to-revoke");
  // renaming keeps runs and the agent going
  const renamed = await call<{ name: string }>(aliceApi, "PATCH", `/api/devices/${device.id}`, { name: "renamed" });
  assert.equal(renamed.json.name, "renamed");
  assert.equal((await work(token, "POST", "/api/worker/heartbeat", { instance: agent.instance, running: [running.json.id] })).status, 200);

  assert.equal((await call(aliceApi, "DELETE", `/api/devices/${device.id}`)).status, 200);
  assert.equal((await work(token, "POST", "/api/worker/heartbeat", { instance: agent.instance, running: [running.json.id] })).status, 401);
  assert.equal((await work(token, "POST", "/api/worker/register", { protocol: PROTOCOL_VERSION, name: "x", version: "t", engine: { host: "h", version: "v" }, capacity: 1, labels: { hostNetwork: false } })).status, 401);
  const { db } = await import("../platform/db.ts");
  for (const id of [running.json.id, waiting.json.id]) {
    const r = await db().run.findUniqueOrThrow({ where: { id } });
    assert.equal(r.status, "failed");
    assert.deepEqual(r.error, { type: "DeviceRevoked", message: "device revoked" });
  }
  const [view] = (await call<{ id: string; state: string }[]>(aliceApi, "GET", "/api/devices")).json.filter((d) => d.id === device.id);
  assert.equal(view.state, "revoked");
  // revoking again changes nothing
  assert.equal((await call(aliceApi, "DELETE", `/api/devices/${device.id}`)).status, 200);
});

test("device runs count toward their owner's limit, not the hub-wide one", async () => {
  const { updateSettings } = await import("../platform/settings.ts");
  await updateSettings({ queue: { totalRuns: 1, perUserRuns: 2 } });
  try {
    const { createWorkerCredential } = await import("../queue/credentials.ts");
    const hubWorker = await register((await createWorkerCredential(null, "hub-lim")).token, "hub-lim");
    const { token } = await addDevice(aliceApi, "limits");
    const agent = await register(token, "limits");
    const { db } = await import("../platform/db.ts");
    await db().run.updateMany({ where: { status: { in: ["queued", "starting", "running"] } }, data: { status: "cancelled", endedAt: new Date() } });
    const hubRun = await runOn(bobApi);
    assert.equal((await hubWorker.poll(4)).assign.length, 1, "the hub is now full (totalRuns 1)");
    const d1 = await runOn(aliceApi, "limits");
    const d2 = await runOn(aliceApi, "limits");
    const d3 = await runOn(aliceApi, "limits");
    const got = (await agent.poll(2)).assign.map((a) => a.runId);
    assert.deepEqual(got, [d1.json.id, d2.json.id], "a full hub does not hold back device runs");
    assert.deepEqual((await agent.poll(2)).assign, [], "alice is at her per-user limit (2)");
    assert.ok(d3.json.id && hubRun.json.id);
  } finally {
    await updateSettings({ queue: { totalRuns: 16, perUserRuns: 4 } });
  }
});

// last: it grants the example's namespace the host's network, which changes where its hub runs wait
test("the admin's rule: runs granted host networking go only to devices while it is on", async () => {
  const { setGrant } = await import("../policy/grants.ts");
  const { db } = await import("../platform/db.ts");
  const ns = (await db().packageVersion.findUniqueOrThrow({ where: { id: versionId }, include: { package: { include: { namespace: true } } } })).package.namespace.name;
  await setGrant(root, { namespace: ns, network: "host", caps: [] });
  const { setDeviceRules } = await import("./rules.ts");
  await addDevice(aliceApi, "hostnet-box");
  try {
    const before = await runOn(aliceApi);
    assert.equal(before.status, 201);
    assert.equal((await db().run.findUniqueOrThrow({ where: { id: before.json.id } })).queue, "levhub-run-hostnet");
    assert.deepEqual(await setDeviceRules(root, { hostNetworkOnDevicesOnly: true }), { hostNetworkOnDevicesOnly: true, deviceWaitMinutes: 1440 });
    const refused = await runOn(aliceApi);
    assert.equal(refused.status, 422, JSON.stringify(refused.json));
    assert.match(JSON.stringify(refused.json), /host networking/);
    const onDevice = await runOn(aliceApi, "hostnet-box");
    assert.equal(onDevice.status, 201, JSON.stringify(onDevice.json));
    // the rule leaves the queue limits as they were, and the limits form leaves the rule
    const { getSettings } = await import("../platform/settings.ts");
    assert.deepEqual((await getSettings()).queue, { totalRuns: 16, perUserRuns: 4, queuedPerUser: 100, scansPerUser: 100, hostNetworkOnDevicesOnly: true, hubWorkerInstances: 16, deviceWaitMinutes: 1440 });
  } finally {
    await setDeviceRules(root, { hostNetworkOnDevicesOnly: false });
  }
  assert.equal((await runOn(aliceApi)).status, 201);
});

test("a re-run goes where the run went while the device is still its owner's to use; an admin's re-run goes to the hub's workers", async () => {
  const { device } = await addDevice(aliceApi, "rerun-box");
  const first = await runOn(aliceApi, "rerun-box");
  assert.equal(first.status, 201, JSON.stringify(first.json));
  const { rerun } = await import("../scans/rerun.ts");
  const { db } = await import("../platform/db.ts");
  const deviceOf = async (runId: string) => (await db().run.findUniqueOrThrow({ where: { id: runId } })).deviceId;
  assert.equal(await deviceOf((await rerun(alice, first.json.id)).id), device.id);
  // the admin may re-run alice's run, but never on alice's machine
  assert.equal(await deviceOf((await rerun(root, first.json.id)).id), null);
  // revoked since: the re-run goes to the hub's workers instead of being refused
  assert.equal((await call(aliceApi, "DELETE", `/api/devices/${device.id}`)).status, 200);
  assert.equal(await deviceOf((await rerun(alice, first.json.id)).id), null);
});

test("a run sent to a device that does not take it says so on its page, then ends DeviceTimeout after the admin's wait", async () => {
  const { janitorPass } = await import("../queue/janitor.ts");
  const { setDeviceRules } = await import("./rules.ts");
  const { db } = await import("../platform/db.ts");
  await addDevice(aliceApi, "never-box");
  const gone = await addDevice(aliceApi, "gone-box");
  const goneAgent = await register(gone.token, "gone-box");
  await db().worker.updateMany({ where: { instance: goneAgent.instance }, data: { state: "stopped", lastSeenAt: new Date("2026-11-20T08:00:00Z") } });
  const never = await runOn(aliceApi, "never-box");
  const offline = await runOn(aliceApi, "gone-box");
  const onHub = await runOn(aliceApi);
  // its page (the API's run detail) says which device it waits for, how that device is, and until when
  const detail = await call<{ status: string; deviceWait: { device: string; state: string; lastSeenAt: string | null; wait: string; endsAt: string } | null }>(aliceApi, "GET", `/api/runs/${never.json.id}`);
  assert.equal(detail.json.status, "queued");
  assert.deepEqual({ ...detail.json.deviceWait, endsAt: undefined }, { device: "never-box", state: "never connected", lastSeenAt: null, wait: "24 h", endsAt: undefined });
  const offlineDetail = await call<{ deviceWait: { state: string; lastSeenAt: string } }>(aliceApi, "GET", `/api/runs/${offline.json.id}`);
  assert.deepEqual([offlineDetail.json.deviceWait.state, offlineDetail.json.deviceWait.lastSeenAt], ["offline", "2026-11-20T08:00:00.000Z"]);
  assert.equal((await call<{ deviceWait: unknown }>(aliceApi, "GET", `/api/runs/${onHub.json.id}`)).json.deviceWait, null, "a hub run waits for no device");

  const later = new Date(Date.now() + 61_000);
  assert.equal((await janitorPass(later)).expired, 0, "within the default day nothing expires");
  try {
    assert.equal((await setDeviceRules(root, { hostNetworkOnDevicesOnly: false, deviceWaitMinutes: 1 })).deviceWaitMinutes, 1);
    const pass = await janitorPass(later);
    assert.ok(pass.expired >= 2, JSON.stringify(pass));
    const ended = async (id: string) => db().run.findUniqueOrThrow({ where: { id }, select: { status: true, error: true, endedAt: true } });
    assert.deepEqual((await ended(never.json.id)).error, { type: "DeviceTimeout", message: "device never-box did not take this run within 1 min: it has never connected" });
    assert.equal((await ended(never.json.id)).status, "failed");
    assert.deepEqual((await ended(offline.json.id)).error, { type: "DeviceTimeout", message: "device gone-box did not take this run within 1 min: it has been offline since 2026-11-20 08:00:00 UTC" });
    assert.equal((await ended(onHub.json.id)).status, "queued", "the hub's own queue never expires");
    assert.equal((await janitorPass(later)).expired, 0, "idempotent");
  } finally {
    await setDeviceRules(root, { hostNetworkOnDevicesOnly: false, deviceWaitMinutes: 24 * 60 });
    await db().run.updateMany({ where: { id: onHub.json.id, status: "queued" }, data: { status: "cancelled", endedAt: new Date() } });
  }
});
