import { test } from "node:test";
import assert from "node:assert/strict";
import {
  HELD_RUN_STATUSES,
  HUB_ERROR_TYPES,
  isHeld,
  isTerminal,
  reportedErrorTypeSchema,
  RUN_ERROR_TYPES,
  RUN_STATUSES,
  RUNNER_ERROR_TYPES,
  runStatusSchema,
  TASK_STATUSES,
  TERMINAL_RUN_STATUSES,
} from "./status.ts";

test("a run is queued, held by a worker, or ended: each status in exactly one of the three", () => {
  for (const s of RUN_STATUSES) {
    const where = [s === "queued", isHeld(s), isTerminal(s)].filter(Boolean).length;
    assert.equal(where, 1, s);
  }
  assert.deepEqual([...HELD_RUN_STATUSES, ...TERMINAL_RUN_STATUSES, "queued"].sort(), [...RUN_STATUSES].sort());
  assert.equal(isTerminal("paused"), false);
  assert.equal(runStatusSchema.safeParse("paused").success, false);
});

test("the runner's and the hub's error types are one closed set without overlap; a task ends in statuses runs do not all have", () => {
  assert.deepEqual([...RUN_ERROR_TYPES], [...RUNNER_ERROR_TYPES, ...HUB_ERROR_TYPES]);
  assert.equal(new Set(RUN_ERROR_TYPES).size, RUN_ERROR_TYPES.length);
  assert.ok(TASK_STATUSES.includes("stopped") && !(RUN_STATUSES as readonly string[]).includes("stopped"));
});

test("an error type a worker reports: the runner's are kept, anything else (the hub's own included) becomes the generic RunnerError", () => {
  for (const t of RUNNER_ERROR_TYPES) assert.equal(reportedErrorTypeSchema.parse(t), t);
  for (const t of [...HUB_ERROR_TYPES, "MadeUp", "", "x".repeat(10_000), "constructor", "__proto__"]) assert.equal(reportedErrorTypeSchema.parse(t), "RunnerError", t.slice(0, 20));
  assert.equal(reportedErrorTypeSchema.safeParse(42).success, false, "not a string at all: refused");
});
