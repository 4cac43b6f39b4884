import assert from "node:assert/strict";
import { test } from "node:test";
import { debugDecision, MAX_SESSIONS_PER_TASK, outputWindow, PENDING_MS, sessionEnd, type DebugDecisionInput, type SessionFacts } from "./decision.ts";

const alice = { id: "alice", seesRun: true, mayRun: true };
const base: DebugDecisionInput = {
  viewer: alice,
  run: { ownerId: "alice", status: "running", policy: { network: "none", caps: [] }, args: { n: 1 } },
  task: { status: "running" },
  enabled: true,
  openSessions: 0,
};
const refusal = (i: Partial<DebugDecisionInput>) => {
  const d = debugDecision({ ...base, ...i });
  return d.ok ? "ok" : d.refusal;
};

test("the run's owner may debug a running task of a running run without a grant or a secret", () => {
  assert.equal(refusal({}), "ok");
  assert.equal(refusal({ run: { ...base.run, status: "starting" } }), "ok");
  assert.equal(refusal({ task: undefined }), "ok", "the run alone (the run page's availability)");
  assert.equal(refusal({ run: { ...base.run, args: { words: { $lev: "file", id: "f".repeat(20) } } } }), "ok", "the owner's own file is no secret");
});

test("a run of a project one may not read reads as missing; anyone else who sees it (a member, an admin) is refused and told why", () => {
  assert.equal(refusal({ viewer: { id: "bob", seesRun: false, mayRun: false } }), "not_found");
  for (const viewer of [{ id: "root", seesRun: true, mayRun: true }, { id: "viewer", seesRun: true, mayRun: false }]) {
    const d = debugDecision({ ...base, viewer });
    assert.equal(d.ok, false);
    assert.equal(!d.ok && d.refusal, "not_owner", viewer.id);
    assert.match(!d.ok ? d.message : "", /owner's arguments/);
  }

  // who the viewer is comes before anything else: a stranger learns nothing of the run's state
  assert.equal(refusal({ viewer: { id: "bob", seesRun: false, mayRun: false }, enabled: false, run: { ...base.run, status: "succeeded", policy: { network: "host", caps: [] } } }), "not_found");
});

test("the owner once they left the project reads it as missing; the owner now a viewer there is refused", () => {
  assert.equal(refusal({ viewer: { id: "alice", seesRun: false, mayRun: false } }), "not_found");
  assert.equal(refusal({ viewer: { id: "alice", seesRun: true, mayRun: false } }), "may_not_run");
  assert.equal(refusal({ viewer: { id: "alice", seesRun: true, mayRun: false }, enabled: false }), "may_not_run", "said before the hub's setting");
});

test("every refusal, in order", () => {
  assert.equal(refusal({ enabled: false }), "disabled");
  assert.equal(refusal({ run: { ...base.run, policy: { network: "host", caps: [] } } }), "granted");
  assert.equal(refusal({ run: { ...base.run, policy: { network: "none", caps: ["NET_RAW"] } } }), "granted");
  assert.equal(refusal({ run: { ...base.run, policy: { network: "none", caps: [], packages: { "a.b": { modes: { "lev.a.b.m.f": { network: "host", caps: [], images: [] } } } } } } }), "granted");
  assert.equal(refusal({ run: { ...base.run, policy: null } }), "granted", "a run without a stored policy is not trusted to have none");
  assert.equal(refusal({ run: { ...base.run, args: { t: { $lev: "secret", id: "s".repeat(20) } } } }), "secret");
  for (const status of ["queued", "succeeded", "failed", "cancelled", "timed_out"] as const) assert.equal(refusal({ run: { ...base.run, status } }), "run_not_running", status);
  assert.equal(refusal({ task: null }), "task_not_running");
  for (const status of ["starting", "succeeded", "failed", "stopped", "cancelled", "timed_out"] as const) assert.equal(refusal({ task: { status } }), "task_not_running", status);
  assert.equal(refusal({ openSessions: MAX_SESSIONS_PER_TASK - 1 }), "ok");
  assert.equal(refusal({ openSessions: MAX_SESSIONS_PER_TASK }), "too_many");
  // a grant is said even of an ended run: the button says why, not "not running"
  assert.equal(refusal({ run: { ...base.run, status: "succeeded", policy: { network: "host", caps: [] } } }), "granted");
});

const now = new Date("2026-12-08T12:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);
const live: SessionFacts = { state: "open", workerInstance: "w1", createdAt: ago(60_000), lastActivityAt: ago(1000), run: { status: "running", workerInstance: "w1" }, task: { status: "running" } };

test("a session ends with its task or run, a worker that never came, or idleness", () => {
  assert.equal(sessionEnd(live, now, 600_000), null);
  assert.equal(sessionEnd({ ...live, state: "ended" }, now, 1), null);
  assert.equal(sessionEnd({ ...live, task: { status: "succeeded" } }, now, 600_000), "task_ended");
  assert.equal(sessionEnd({ ...live, task: null }, now, 600_000), "task_ended");
  assert.equal(sessionEnd({ ...live, run: { status: "cancelled", workerInstance: "w1" } }, now, 600_000), "task_ended");
  assert.equal(sessionEnd({ ...live, run: { status: "running", workerInstance: "w2" } }, now, 600_000), "task_ended", "the run moved to another worker (requeued)");
  assert.equal(sessionEnd({ ...live, state: "pending", createdAt: ago(PENDING_MS - 1) }, now, 600_000), null);
  assert.equal(sessionEnd({ ...live, state: "pending", createdAt: ago(PENDING_MS + 1) }, now, 600_000), "worker_gone");
  assert.equal(sessionEnd({ ...live, lastActivityAt: ago(600_001) }, now, 600_000), "idle");
});

test("the output rate: one-second windows kept in the row", () => {
  const w0 = { at: ago(2000), bytes: 999_999 };
  assert.deepEqual(outputWindow(w0, now, 100, 1000), { ok: true, at: now, bytes: 100 }, "an old window starts again");
  assert.deepEqual(outputWindow({ at: ago(500), bytes: 900 }, now, 100, 1000), { ok: true, at: ago(500), bytes: 1000 });
  assert.deepEqual(outputWindow({ at: ago(500), bytes: 901 }, now, 100, 1000), { ok: false, retryMs: 500 });
  // one request larger than the rate passes alone in a fresh window (its size is capped by the request's own cap)
  assert.deepEqual(outputWindow({ at: ago(1000), bytes: 5 }, now, 5000, 1000), { ok: true, at: now, bytes: 5000 });
});
