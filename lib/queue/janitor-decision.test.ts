import assert from "node:assert/strict";
import { test } from "node:test";
import { expiredDeviceRuns, janitorDecision, waitText, type DeviceWaitFact, type HeldRunFact, type InstanceFact } from "./janitor-decision.ts";

const now = new Date("2026-11-24T05:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);
const inst = (instance: string, state: InstanceFact["state"], seenMsAgo: number): InstanceFact => ({ instance, state, lastSeenAt: ago(seenMsAgo) });
const run = (id: string, workerInstance: string | null, attempt = 1, retries = 0): HeldRunFact => ({ id, workerInstance, attempt, retries });

test("an instance is lost after three missed heartbeats, not before", () => {
  const d = janitorDecision({ now, heartbeatMs: 1000, instances: [inst("a", "online", 2999), inst("b", "online", 3001), inst("c", "draining", 5000)], held: [] });
  assert.deepEqual(d.lose, ["b", "c"]);
});

test("heartbeats missed while the hub itself was not listening never lose an instance", () => {
  const instances = [inst("a", "online", 60_000), inst("b", "online", 10_000)];
  // the hub came back 2 s ago after a minute away: nobody could have been heard meanwhile
  assert.deepEqual(janitorDecision({ now, heartbeatMs: 1000, instances, held: [run("r", "a")], listeningSince: ago(2000) }), { lose: [], fail: [], requeue: [] });
  // listening for longer than three heartbeats: the silent ones are lost after all
  assert.deepEqual(janitorDecision({ now, heartbeatMs: 1000, instances, held: [], listeningSince: ago(3001) }).lose, ["a", "b"]);
  // an instance seen after the hub came back is judged on that heartbeat
  assert.deepEqual(janitorDecision({ now, heartbeatMs: 1000, instances: [inst("c", "online", 3500)], held: [], listeningSince: ago(10_000) }).lose, ["c"]);
});

test("instances already lost or stopped are not lost again", () => {
  const d = janitorDecision({ now, heartbeatMs: 1000, instances: [inst("a", "lost", 99_999), inst("b", "stopped", 99_999)], held: [] });
  assert.deepEqual(d.lose, []);
});

test("runs of live instances stay; runs of lost, stopped, unknown or no instance fail", () => {
  const d = janitorDecision({
    now,
    heartbeatMs: 1000,
    instances: [inst("live", "online", 10), inst("late", "online", 10_000), inst("gone", "lost", 1e6), inst("done", "stopped", 10)],
    held: [run("r1", "live"), run("r2", "late"), run("r3", "gone"), run("r4", "done"), run("r5", "nobody"), run("r6", null)],
  });
  assert.deepEqual(d, { lose: ["late"], fail: ["r2", "r3", "r4", "r5", "r6"], requeue: [] });
});

test("retries only where the function opts in, and at most retries + 1 attempts", () => {
  const d = janitorDecision({
    now,
    heartbeatMs: 1000,
    instances: [inst("x", "lost", 1e6)],
    held: [run("none", "x", 1, 0), run("first", "x", 1, 2), run("second", "x", 2, 2), run("third", "x", 3, 2), run("weird", "x", 1, -1)],
  });
  assert.deepEqual(d.requeue, ["first", "second"]);
  assert.deepEqual(d.fail, ["none", "third", "weird"]);
});

test("a run waits for its device the admin's time, then ends with why: never connected, offline since, busy", () => {
  const q = (id: string, minutesAgo: number, device: Partial<DeviceWaitFact> = {}): DeviceWaitFact => ({ id, queuedAt: ago(minutesAgo * 60_000), device: "laptop", connected: false, lastSeenAt: null, ...device });
  const queued = [
    q("fresh", 59),
    q("never", 61),
    q("offline", 90, { lastSeenAt: new Date("2026-11-23T10:00:00Z") }),
    q("busy", 600, { connected: true, lastSeenAt: ago(1000) }),
  ];
  assert.deepEqual(expiredDeviceRuns({ now, waitMinutes: 60, queued }), [
    { id: "busy", message: "device laptop did not take this run within 1 h: it is connected but did not take it (busy with other runs, or stopping)" },
    { id: "never", message: "device laptop did not take this run within 1 h: it has never connected" },
    { id: "offline", message: "device laptop did not take this run within 1 h: it has been offline since 2026-11-23 10:00:00 UTC" },
  ]);
  assert.deepEqual(expiredDeviceRuns({ now, waitMinutes: 24 * 60, queued }), [], "within a day nothing expires");
});

test("a device is judged only on the time the hub could hear it", () => {
  const queued: DeviceWaitFact[] = [{ id: "r", queuedAt: ago(3 * 3600_000), device: "laptop", connected: false, lastSeenAt: null }];
  // the hub came back 10 minutes ago after hours away: the run gets its whole hour from then
  assert.deepEqual(expiredDeviceRuns({ now, waitMinutes: 60, queued, listeningSince: ago(10 * 60_000) }), []);
  assert.equal(expiredDeviceRuns({ now, waitMinutes: 60, queued, listeningSince: ago(61 * 60_000) }).length, 1);
});

test("waits read in the unit people use", () => {
  assert.deepEqual([1, 45, 90, 60, 120, 1440, 2160, 2880, 43200].map(waitText), ["1 min", "45 min", "90 min", "1 h", "2 h", "24 h", "36 h", "2 days", "30 days"]);
});
