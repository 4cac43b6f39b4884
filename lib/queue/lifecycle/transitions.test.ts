import { test } from "node:test";
import assert from "node:assert/strict";
import { HUB_ERROR_TYPES, RUN_ERROR_TYPES, RUN_STATUSES, TERMINAL_RUN_STATUSES, type RunStatus } from "../../../runner/src/status.ts";
import { ENDINGS, fromStates, jobAction, nextStatus, RUN_OPERATIONS, SKIPPED_CLAIM_JOB_ACTION, UNFINISHED_TASK_STATUS, type EndingType, type Transition } from "./transitions.ts";

/** Every transition there is: each operation, with each final status and each ending. */
const ALL: Transition[] = [
  { op: "enqueue" },
  { op: "claim" },
  { op: "markRunning" },
  ...TERMINAL_RUN_STATUSES.map((status) => ({ op: "finish", status }) as const),
  { op: "requeue" },
  { op: "requestCancel" },
  ...(Object.keys(ENDINGS) as EndingType[]).map((ending) => ({ op: "end", ending }) as const),
];
const label = (t: Transition) => (t.op === "finish" ? `finish:${t.status}` : t.op === "end" ? `end:${t.ending}` : t.op);

/**
 * The whole state machine written out by hand: from each status ("new": no run yet) the status a
 * transition leads to. Whatever is not listed is refused.
 */
const EXPECTED: Record<string, Partial<Record<RunStatus | "new", RunStatus>>> = {
  enqueue: { new: "queued" },
  claim: { queued: "starting" },
  markRunning: { starting: "running" },
  "finish:succeeded": { starting: "succeeded", running: "succeeded" },
  "finish:failed": { starting: "failed", running: "failed" },
  "finish:cancelled": { starting: "cancelled", running: "cancelled" },
  "finish:timed_out": { starting: "timed_out", running: "timed_out" },
  requeue: { starting: "queued", running: "queued" },
  requestCancel: { starting: "starting", running: "running" },
  "end:Cancelled": { queued: "cancelled" },
  "end:WorkerLost": { starting: "failed", running: "failed" },
  "end:DeviceRevoked": { queued: "failed", starting: "failed", running: "failed" },
  "end:DeviceTimeout": { queued: "failed" },
  "end:HubStopped": { queued: "failed", starting: "failed", running: "failed" },
  "end:QuotaExceeded": { starting: "failed", running: "failed" },
  "end:OutsideWindow": { queued: "failed", starting: "failed", running: "failed" },
};

test("every transition from every status: applied exactly where the table says, refused everywhere else", () => {
  assert.deepEqual(ALL.map(label).sort(), Object.keys(EXPECTED).sort(), "the table covers every transition");
  for (const t of ALL) {
    for (const from of [null, ...RUN_STATUSES]) {
      const want = EXPECTED[label(t)][from ?? "new"] ?? null;
      assert.equal(nextStatus(t, from), want, `${label(t)} from ${from ?? "new"}`);
    }
  }
});

test("a run that has ended never changes again, whatever asks", () => {
  for (const t of ALL) for (const from of TERMINAL_RUN_STATUSES) assert.equal(nextStatus(t, from), null, `${label(t)} from ${from}`);
});

test("the WHERE's from-states are exactly the statuses the transition applies from", () => {
  for (const t of ALL) {
    const applies = RUN_STATUSES.filter((s) => nextStatus(t, s) !== null);
    assert.deepEqual([...fromStates(t)].sort(), [...applies].sort(), label(t));
  }
});

test("every operation is covered, and every reason the hub ends a run is an error type of the closed set", () => {
  assert.deepEqual([...new Set(ALL.map((t) => t.op))].sort(), [...RUN_OPERATIONS].sort());
  for (const type of Object.keys(ENDINGS)) assert.ok((RUN_ERROR_TYPES as readonly string[]).includes(type), type);
  // each hub-only error type is a way the hub ends runs (else it could never be recorded)
  for (const type of HUB_ERROR_TYPES) assert.ok(type in ENDINGS, type);
});

test("the pg-boss job follows the run: sent with it, completed with the worker's end, cancelled with a cancel, failed when the hub fails the run", () => {
  const want: Record<string, string> = {
    enqueue: "send",
    claim: "none",
    markRunning: "none",
    "finish:succeeded": "complete",
    "finish:failed": "complete",
    "finish:cancelled": "complete",
    "finish:timed_out": "complete",
    requeue: "fail-and-send",
    requestCancel: "none",
    "end:Cancelled": "cancel",
    "end:WorkerLost": "fail",
    "end:DeviceRevoked": "fail",
    "end:DeviceTimeout": "fail",
    "end:HubStopped": "fail",
    "end:QuotaExceeded": "fail",
    "end:OutsideWindow": "fail",
  };
  for (const t of ALL) assert.equal(jobAction(t), want[label(t)], label(t));
  assert.equal(SKIPPED_CLAIM_JOB_ACTION, "complete");
});

test("tasks still open when their run ends become cancelled, whoever ended the run", () => {
  assert.equal(UNFINISHED_TASK_STATUS, "cancelled");
});
