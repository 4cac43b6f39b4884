import assert from "node:assert/strict";
import { test } from "node:test";
import { janitorDecision, type HeldRunFact, type InstanceFact } from "./janitor-decision.ts";

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
