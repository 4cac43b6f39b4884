import assert from "node:assert/strict";
import { test } from "node:test";
import { taskOutcome, type TaskEndFacts } from "./task-outcome.ts";

const base: TaskEndFacts = {
  number: 2,
  image: "img",
  exitCode: 0,
  cancelled: false,
  timedOut: false,
  oomKilled: false,
  memoryBytes: 256 * 1024 * 1024,
  signalled: false,
  waitError: null,
  outputError: null,
  storeError: null,
  entryError: null,
  logTail: "tail",
};
const out = (f: Partial<TaskEndFacts>) => taskOutcome({ ...base, ...f });

test("success, and each failure with its type", () => {
  assert.deepEqual(out({}), { status: "succeeded", error: null });
  assert.equal(out({ exitCode: 3 }).error?.message, "task 2 (img) exited with code 3");
  assert.equal(out({ exitCode: 3 }).error?.traceback, "tail");
  const e = out({ exitCode: 1, entryError: { type: "ValueError", message: "bad", traceback: "tb" } }).error!;
  assert.deepEqual(e, { type: "TaskFailed", message: "task 2 (img) failed: ValueError: bad", traceback: "tb", task: 2 });
  assert.equal(out({ storeError: "cannot store" }).error?.type, "TaskFailed", "a failed result write fails the task");
  assert.equal(out({ storeError: "cannot store" }).status, "failed");
  assert.equal(out({ waitError: "engine gone" }).error?.type, "RunnerError");
  assert.deepEqual(out({ outputError: { type: "OutputTooLarge", message: "big" } }).error, { type: "OutputTooLarge", message: "big", task: 2 });
  assert.equal(out({ outputError: { type: "OutputTooLarge", message: "big" } }).status, "failed", "even when the entry caught it and exited 0");
});

test("a container the kernel killed for memory ends failed with 'out of memory', whatever its exit code", () => {
  const e = out({ oomKilled: true, exitCode: 137 });
  assert.equal(e.status, "failed");
  assert.deepEqual(e.error, { type: "TaskFailed", message: "task 2 (img) ran out of memory: killed at its limit of 256 MiB", traceback: "tail", task: 2 });
  assert.equal(out({ oomKilled: true, exitCode: 0 }).error?.message, "task 2 (img) ran out of memory: killed at its limit of 256 MiB");
  assert.equal(out({ oomKilled: true, cancelled: true }).status, "cancelled", "a run that ended first is what the task shows");
  assert.equal(out({ oomKilled: true, timedOut: true }).status, "timed_out");
  assert.equal(out({ oomKilled: true, signalled: true }).status, "failed", "stopping it does not hide that it died of memory");
});

test("precedence: cancelled > timed out > output too large > signalled > engine > store > exit code", () => {
  const all: Partial<TaskEndFacts> = {
    cancelled: true,
    timedOut: true,
    outputError: { type: "OutputTooLarge", message: "big" },
    signalled: true,
    waitError: "x",
    storeError: "y",
    exitCode: 137,
  };
  assert.equal(out(all).status, "cancelled");
  assert.equal(out({ ...all, cancelled: false }).status, "timed_out");
  assert.equal(out({ ...all, cancelled: false, timedOut: false }).error?.type, "OutputTooLarge");
  assert.equal(out({ ...all, cancelled: false, timedOut: false, outputError: null }).status, "stopped");
  assert.equal(out({ ...all, cancelled: false, timedOut: false, outputError: null, signalled: false }).error?.type, "RunnerError");
});
