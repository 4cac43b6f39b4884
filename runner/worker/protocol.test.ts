import { test } from "node:test";
import assert from "node:assert/strict";
import { eventsRequestSchema } from "./protocol.ts";

const instance = "6f1c7f5e-7c8a-4b55-9a57-0c1bbf3d8a11";
const at = "2026-01-01T00:00:00.000Z";
const task = (status: string, error: unknown = null) => ({ number: 1, image: "i", schema: "s", coll: "c|s", host: "t1", status, exitCode: null, startedAt: at, endedAt: null, error, stored: false });
const finished = (status: string, error: unknown) => ({ type: "run.finished", status, error, exitCode: 1, tasks: [], collections: [], startedAt: at, endedAt: at });

test("a worker's report: statuses from the closed sets only; an error type outside the runner's set is never kept as sent", () => {
  const parsed = eventsRequestSchema.parse({
    instance,
    events: [
      { seq: 1, event: { type: "task.finished", task: task("failed", { type: "Whatever", message: "m" }) } },
      { seq: 2, event: finished("failed", { type: "WorkerLost", message: "a worker cannot say this" }) },
      { seq: 3, event: finished("timed_out", { type: "RunTimeout", message: "kept" }) },
    ],
  });
  const [t, lying, kept] = parsed.events.map((e) => e.event);
  assert.equal(t.type === "task.finished" && t.task.error?.type, "RunnerError");
  assert.equal(lying.type === "run.finished" && lying.error?.type, "RunnerError");
  assert.equal(kept.type === "run.finished" && kept.error?.type, "RunTimeout");
  assert.equal(eventsRequestSchema.safeParse({ instance, events: [{ seq: 1, event: { type: "task.started", task: task("paused") } }] }).success, false, "a task status outside the set");
  assert.equal(eventsRequestSchema.safeParse({ instance, events: [{ seq: 1, event: finished("running", null) }] }).success, false, "a run ends only in a terminal status");
  assert.equal(eventsRequestSchema.safeParse({ instance, events: [{ seq: 1, event: finished("queued", null) }] }).success, false);
});

test("exit codes the hub can store only: a worker's number past PostgreSQL's integer is refused in the request, not a failed write", () => {
  const withCode = (exitCode: number) => ({ ...task("failed"), exitCode });
  const report = (events: unknown[]) => eventsRequestSchema.safeParse({ instance, events: events.map((event, i) => ({ seq: i + 1, event })) }).success;
  for (const ok of [0, 137, 255, -1, 2147483647, -2147483648]) {
    assert.equal(report([{ type: "task.finished", task: withCode(ok) }, { ...finished("failed", null), exitCode: ok, tasks: [withCode(ok)] }]), true, `exit code ${ok}`);
  }
  for (const bad of [2147483648, -2147483649, 1e15]) {
    assert.equal(report([{ type: "task.finished", task: withCode(bad) }]), false, `a task's exit code ${bad}`);
    assert.equal(report([{ ...finished("failed", null), exitCode: bad }]), false, `a run's exit code ${bad}`);
    assert.equal(report([{ ...finished("failed", null), tasks: [withCode(bad)] }]), false, `an exit code ${bad} in the run's end`);
  }
});
