/**
 * The lifecycle's data part on a real PostgreSQL with pg-boss: every operation tried on a run in
 * every status, brought there through the lifecycle itself. Where the state machine
 * (transitions.ts) allows it the operation applies, with its job and tasks; everywhere else it
 * reports "not applied" and changes nothing at all — not the row, not the job.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { RUN_STATUSES, TASK_STATUSES, TERMINAL_RUN_STATUSES, type RunStatus } from "../../../runner/src/status.ts";
import { startTestHub, type TestHub } from "../../testing/hub.ts";
import type { Viewer } from "../../types.ts";
import { nextStatus, type Transition } from "./transitions.ts";

let hub: TestHub;
let alice: Viewer;
let versionId: string;
let projectId: string;
let holder: { workerId: string; instance: string };
let other: { workerId: string; instance: string };
let number = 0;

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../../testing/accounts.ts");
  ({ alice } = await signUpTestUsers());
  const { addTestPackage } = await import("../../testing/catalog.ts");
  const { db } = await import("../../platform/db.ts");
  const packageId = await addTestPackage({ namespace: "alice", ownerId: alice.id, name: "life", exports: [{ qualified: "f" }] });
  versionId = (await db().package.findUniqueOrThrow({ where: { id: packageId } })).latestVersionId!;
  projectId = await (await import("../../testing/projects.ts")).personalProjectId(alice.id);
  const credential = await db().workerCredential.create({ data: { name: "lifecycle", tokenHash: randomUUID(), prefix: "lwk_test" } });
  const worker = (name: string) =>
    db().worker.create({ data: { name, labels: {}, capacity: 8, version: "test", engineHost: "none", engineVersion: "0", credentialId: credential.id, instance: randomUUID() } });
  const [a, b] = [await worker("holder"), await worker("other")];
  holder = { workerId: a.id, instance: a.instance };
  other = { workerId: b.id, instance: b.instance };
});
after(async () => {
  await hub?.close();
});

async function lifecycle() {
  return import("./lifecycle.ts");
}
async function tx<T>(fn: (tx: import("./jobs.ts").Tx) => Promise<T>): Promise<T> {
  const { db } = await import("../../platform/db.ts");
  return db().$transaction(fn);
}

/** A run of its own queue (so a fetch finds exactly its job), brought to `status` through the lifecycle, with one task still open when it is held. */
async function runIn(status: RunStatus): Promise<string> {
  const { enqueue, nextJob, claim, markRunning, finish, recordTasks, endRun } = await lifecycle();
  const { getBoss } = await import("../boss.ts");
  const queue = `levhub-lifecycle-test-${++number}`;
  await (await getBoss()).createQueue(queue, { retryLimit: 0, policy: "standard" });
  const id = await tx((t) => enqueue(t, { number, ownerId: alice.id, projectId, versionId, function: "f", args: {} }, { queue, deviceId: null }));
  if (status === "queued") return id;
  if (status === "failed" && number % 2) {
    // a run can also end failed straight from the queue: the hub's own reasons
    assert.ok(await tx((t) => endRun(t, id, { type: "DeviceRevoked", message: "device revoked" })));
    return id;
  }
  const job = await tx((t) => nextJob(t, [queue], []));
  assert.equal(job?.runId, id);
  assert.ok(await tx((t) => claim(t, job!, holder, () => true)));
  const at = new Date();
  await tx((t) => recordTasks(t, id, [{ number: 1, image: "i", resolvedImage: null, coll: "c|s", status: "running", exitCode: null, error: null, stored: false, startedAt: at, endedAt: null }]));
  if (status === "starting") return id;
  assert.ok(await tx((t) => markRunning(t, id, holder.instance, at)));
  if (status === "running") return id;
  const error = status === "succeeded" ? null : { type: status === "timed_out" ? ("RunTimeout" as const) : ("WorkflowError" as const), message: status };
  assert.ok(await tx((t) => finish(t, id, holder.instance, { status: status as (typeof TERMINAL_RUN_STATUSES)[number], error, exitCode: 0, startedAt: at, endedAt: at })));
  return id;
}

/** Everything about a run a transition may touch: the row, its tasks, its log and its job. */
async function snapshot(id: string) {
  const { db } = await import("../../platform/db.ts");
  const row = await db().run.findUniqueOrThrow({ where: { id }, include: { tasks: { orderBy: { number: "asc" } }, logs: true } });
  const jobs = await db().$queryRawUnsafe<{ id: string; state: string }[]>(`SELECT id::text, state::text FROM pgboss.job WHERE data->>'runId' = $1 ORDER BY created_on, id`, id);
  return { row, jobs };
}

const jobState = (snap: Awaited<ReturnType<typeof snapshot>>, jobId: string | null) => snap.jobs.find((j) => j.id === jobId)?.state ?? null;

/**
 * Each operation as a transition of the state machine and the call that does it. `jobAfterRefusal`:
 * what a refused operation does to the run's job (only a claim has one: the job it fetched has
 * nothing left to do and is completed — pg-boss completes only an active job).
 */
const OPERATIONS: { t: Transition; apply: (id: string) => Promise<boolean>; jobAfterRefusal?: (state: string) => string }[] = [
  {
    t: { op: "claim" },
    apply: async (id) => {
      const { nextJob, claim } = await lifecycle();
      const { db } = await import("../../platform/db.ts");
      const row = await db().run.findUniqueOrThrow({ where: { id } });
      return tx(async (t) => {
        // a queued run's job is fetched as a poll fetches it; any other run's job cannot be fetched
        // any more, so the claim gets it as a poll that fetched it before the run moved on would
        const job = (await nextJob(t, [row.queue!], [])) ?? { queue: row.queue!, id: row.jobId!, runId: id };
        return claim(t, job, holder, () => true);
      });
    },
    jobAfterRefusal: (state) => (state === "active" ? "completed" : state),
  },
  { t: { op: "markRunning" }, apply: async (id) => tx(async (t) => (await lifecycle()).markRunning(t, id, holder.instance)) },
  ...TERMINAL_RUN_STATUSES.map((status) => ({
    t: { op: "finish", status } as const,
    apply: async (id: string) => tx(async (t) => (await lifecycle()).finish(t, id, holder.instance, { status, error: null, exitCode: 0, startedAt: new Date(), endedAt: new Date() })),
  })),
  {
    t: { op: "requeue" },
    apply: async (id) => tx(async (t) => (await lifecycle()).requeue(t, id, { heldBy: holder.instance, attempt: 1, reason: { type: "WorkerLost", message: "worker holder stopped answering; attempt 2" } })),
  },
  { t: { op: "requestCancel" }, apply: async (id) => tx(async (t) => (await lifecycle()).requestCancel(t, id, "cancelled by alice")) },
  { t: { op: "end", ending: "Cancelled" }, apply: async (id) => tx(async (t) => (await lifecycle()).cancelQueued(t, id, "cancelled by alice")) },
  ...(["WorkerLost", "DeviceRevoked", "DeviceTimeout", "HubStopped", "OutsideWindow"] as const).map((type) => ({
    t: { op: "end", ending: type } as const,
    apply: async (id: string) => tx(async (t) => (await lifecycle()).endRun(t, id, { type, message: `ended: ${type}` })),
  })),
];

const label = (t: Transition) => (t.op === "finish" ? `finish:${t.status}` : t.op === "end" ? `end:${t.ending}` : t.op);

test("the database's enums hold exactly the closed sets", async () => {
  const { db } = await import("../../platform/db.ts");
  const values = async (type: string) => (await db().$queryRawUnsafe<{ v: string }[]>(`SELECT unnest(enum_range(NULL::"${type}"))::text AS v`)).map((r) => r.v);
  assert.deepEqual(await values("RunStatus"), [...RUN_STATUSES]);
  assert.deepEqual(await values("TaskStatus"), [...TASK_STATUSES]);
});

test("every operation from every status: applied where the state machine allows it, else nothing changes (row, tasks, log, job)", async (t) => {
  for (const op of OPERATIONS) {
    for (const from of RUN_STATUSES) {
      const id = await runIn(from);
      const before = await snapshot(id);
      assert.equal(before.row.status, from, `set-up of ${from}`);
      const want = nextStatus(op.t, from);
      const applied = await op.apply(id);
      const after = await snapshot(id);
      const what = `${label(op.t)} from ${from}`;
      t.diagnostic(`${what}: ${applied ? `applied → ${after.row.status}` : "not applied"}`);
      assert.equal(applied, want !== null, what);
      if (!applied) {
        const expected = op.jobAfterRefusal ? { ...before, jobs: before.jobs.map((j) => (j.id === before.row.jobId ? { ...j, state: op.jobAfterRefusal!(j.state) } : j)) } : before;
        assert.deepEqual(after, expected, `${what}: refused, yet something changed`);
        continue;
      }
      assert.equal(after.row.status, want, what);
    }
  }
});

test("a claim takes the run for its holder and leaves its job active; a run placement does not give this worker stays queued and its fetched job is completed", async () => {
  const { nextJob, claim } = await lifecycle();
  const taken = await runIn("queued");
  const job = (await tx(async (t) => nextJob(t, [(await snapshot(taken)).row.queue!], [])))!;
  assert.ok(await tx((t) => claim(t, job, holder, () => true)));
  let s = await snapshot(taken);
  assert.deepEqual([s.row.status, s.row.workerInstance, s.row.workerId, s.row.claimedAt !== null, jobState(s, s.row.jobId)], ["starting", holder.instance, holder.workerId, true, "active"]);

  const notMine = await runIn("queued");
  const j2 = (await tx(async (t) => nextJob(t, [(await snapshot(notMine)).row.queue!], [])))!;
  assert.equal(await tx((t) => claim(t, j2, holder, (run) => run.deviceId !== null)), false, "placement refuses it");
  s = await snapshot(notMine);
  assert.deepEqual([s.row.status, s.row.workerInstance, jobState(s, s.row.jobId)], ["queued", null, "completed"]);
});

test("a cancel racing a claim: the cancel waits for the job the claim fetched, then finds the run taken (no deadlock, no cancelled run on a worker)", async () => {
  const { nextJob, claim, cancelQueued } = await lifecycle();
  const { db } = await import("../../platform/db.ts");
  const id = await runIn("queued");
  const queue = (await snapshot(id)).row.queue!;
  let cancelling: Promise<boolean> | null = null;
  const claimed = await tx(async (t) => {
    const job = (await nextJob(t, [queue], []))!;
    // the owner's cancel comes now, from another connection, while this claim holds the job
    cancelling = db().$transaction((c) => cancelQueued(c, id, "cancelled by alice"));
    await new Promise((r) => setTimeout(r, 300));
    return claim(t, job, holder, () => true);
  });
  assert.equal(claimed, true);
  assert.equal(await cancelling!, false, "the run was no longer queued: the caller asks its worker to stop it instead");
  const s = await snapshot(id);
  assert.deepEqual([s.row.status, s.row.cancelRequestedAt, jobState(s, s.row.jobId)], ["starting", null, "active"]);
});

test("only the instance holding a run reports on it; the hub's decisions about one instance never touch a run another holds", async () => {
  const { markRunning, finish, endRun, requeue } = await lifecycle();
  const starting = await runIn("starting");
  assert.equal(await tx((t) => markRunning(t, starting, other.instance)), false);
  const running = await runIn("running");
  const before = await snapshot(running);
  assert.equal(await tx((t) => finish(t, running, other.instance, { status: "succeeded", error: null, exitCode: 0, startedAt: new Date(), endedAt: new Date() })), false);
  assert.equal(await tx((t) => endRun(t, running, { type: "WorkerLost", message: "worker other stopped answering" }, { heldBy: other.instance })), false);
  assert.equal(await tx((t) => requeue(t, running, { heldBy: other.instance, attempt: 1, reason: { type: "WorkerLost", message: "x" } })), false);
  assert.equal(await tx((t) => requeue(t, running, { heldBy: holder.instance, attempt: 2, reason: { type: "WorkerLost", message: "x" } })), false, "a decision about another attempt");
  assert.deepEqual(await snapshot(running), before);
});

test("the worker's end: the run's outcome recorded, its open tasks cancelled, its job completed; a second report changes nothing", async () => {
  const { finish } = await lifecycle();
  const id = await runIn("running");
  const at = new Date("2026-01-02T03:04:05.000Z");
  const outcome = { status: "failed" as const, error: { type: "TaskFailed" as const, message: "task 1 exited 2", traceback: null, task: 1 }, exitCode: 1, startedAt: at, endedAt: at };
  assert.ok(await tx((t) => finish(t, id, holder.instance, outcome)));
  const s = await snapshot(id);
  assert.deepEqual([s.row.status, s.row.error, s.row.exitCode, s.row.endedAt?.toISOString()], ["failed", outcome.error, 1, at.toISOString()]);
  assert.deepEqual(s.row.tasks.map((t) => [t.number, t.status, t.endedAt !== null]), [[1, "cancelled", true]]);
  assert.equal(jobState(s, s.row.jobId), "completed");
  assert.equal(await tx((t) => finish(t, id, holder.instance, { ...outcome, status: "succeeded", error: null })), false);
  assert.deepEqual(await snapshot(id), s);
});

test("the hub's endings: the error recorded, open tasks cancelled, the job failed (a queued run's too) or cancelled for a cancel", async () => {
  const { endRun, cancelQueued } = await lifecycle();
  const lost = await runIn("running");
  assert.ok(await tx((t) => endRun(t, lost, { type: "WorkerLost", message: "worker holder stopped answering" }, { heldBy: holder.instance })));
  let s = await snapshot(lost);
  assert.deepEqual([s.row.status, s.row.error, s.row.cancelRequestedAt], ["failed", { type: "WorkerLost", message: "worker holder stopped answering" }, null]);
  assert.deepEqual(s.row.tasks.map((t) => t.status), ["cancelled"]);
  assert.equal(jobState(s, s.row.jobId), "failed");

  const waiting = await runIn("queued");
  assert.ok(await tx((t) => endRun(t, waiting, { type: "DeviceRevoked", message: "device revoked" })));
  s = await snapshot(waiting);
  assert.deepEqual([s.row.status, jobState(s, s.row.jobId)], ["failed", "failed"]);

  const cancelled = await runIn("queued");
  assert.ok(await tx((t) => cancelQueued(t, cancelled, "cancelled by alice")));
  s = await snapshot(cancelled);
  assert.deepEqual([s.row.status, s.row.error, s.row.cancelReason, s.row.cancelRequestedAt !== null], ["cancelled", { type: "Cancelled", message: "cancelled by alice" }, "cancelled by alice", true]);
  assert.equal(jobState(s, s.row.jobId), "cancelled");
});

test("a cancel request is recorded once on a held run and leaves its state to the worker", async () => {
  const { requestCancel } = await lifecycle();
  const id = await runIn("running");
  assert.ok(await tx((t) => requestCancel(t, id, "cancelled by alice")));
  const s = await snapshot(id);
  assert.deepEqual([s.row.status, s.row.cancelReason, jobState(s, s.row.jobId)], ["running", "cancelled by alice", "active"]);
  assert.equal(await tx((t) => requestCancel(t, id, "cancelled by root")), false, "asked once");
  assert.deepEqual(await snapshot(id), s);
});

test("a requeue: attempt 2 waits under a new job, the old one failed, the failed attempt's tasks gone and the reason in the run's log", async () => {
  const { requeue, nextJob } = await lifecycle();
  const id = await runIn("running");
  const before = await snapshot(id);
  assert.ok(await tx((t) => requeue(t, id, { heldBy: holder.instance, attempt: 1, reason: { type: "WorkerLost", message: "worker holder stopped answering; attempt 2" } })));
  const s = await snapshot(id);
  assert.deepEqual([s.row.status, s.row.attempt, s.row.workerInstance, s.row.startedAt, s.row.reportedSeq], ["queued", 2, null, null, 0]);
  assert.notEqual(s.row.jobId, before.row.jobId);
  assert.equal(jobState(s, before.row.jobId), "failed");
  assert.equal(jobState(s, s.row.jobId), "created");
  assert.deepEqual(s.row.tasks, []);
  assert.deepEqual(s.row.logs.map((l) => [l.seq, l.stream, l.line]), [[1, "system", "worker holder stopped answering; attempt 2"]]);
  const again = await tx((t) => nextJob(t, [s.row.queue!], []));
  assert.equal(again?.runId, id, "the new job is there to be claimed");
});

test("a report's tasks in one statement: each task's later report stands, an error said before stays, times kept to the millisecond in UTC, thousands at once", async () => {
  const { recordTasks, mergeTaskReport } = await lifecycle();
  const { db } = await import("../../platform/db.ts");
  const id = await runIn("running");
  const t0 = new Date("2026-12-08T23:59:59.123Z");
  const t1 = new Date("2026-12-09T00:00:01.456Z");
  const base = { image: "i", resolvedImage: null, coll: "c|s", exitCode: null, error: null, stored: false, startedAt: t0, endedAt: null } as const;
  const error = { type: "TaskFailed" as const, message: "exit 3", traceback: null, task: 2 };
  // a report names task 2 twice (failed with an error, then again without one): merged before writing, as two upserts would leave it
  const merged = mergeTaskReport({ ...base, number: 2, status: "failed", exitCode: 3, error, endedAt: t1 }, { ...base, number: 2, status: "failed", exitCode: 3, endedAt: t1, stored: true });
  assert.deepEqual(merged.error, error);
  await tx((t) => recordTasks(t, id, [{ ...base, number: 1, status: "succeeded", exitCode: 0, endedAt: t1, resolvedImage: "i@sha256:ab" }, merged]));
  // a later report that says no error keeps the stored one; one that names a new image replaces it
  await tx((t) => recordTasks(t, id, [{ ...base, number: 2, status: "failed", exitCode: 3, endedAt: t1, stored: true, image: "j" }]));
  const rows = await db().task.findMany({ where: { runId: id }, orderBy: { number: "asc" } });
  const one = rows.find((r) => r.number === 1)!;
  const two = rows.find((r) => r.number === 2)!;
  assert.deepEqual([one.status, one.exitCode, one.resolvedImage, one.startedAt.toISOString(), one.endedAt?.toISOString()], ["succeeded", 0, "i@sha256:ab", t0.toISOString(), t1.toISOString()]);
  assert.deepEqual([two.status, two.exitCode, two.image, two.stored, two.error], ["failed", 3, "j", true, error]);
  // more rows than one statement's parameters allow
  const many = Array.from({ length: 6000 }, (_, i) => ({ ...base, number: 100 + i, status: "running" as const }));
  await tx((t) => recordTasks(t, id, many));
  assert.equal(await db().task.count({ where: { runId: id, number: { gte: 100 } } }), 6000);
  await tx((t) => recordTasks(t, id, []));
});
