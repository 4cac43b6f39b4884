import { test } from "node:test";
import assert from "node:assert/strict";
import { progressPercent, progressText, progressTone, tallyTasks } from "./run-progress.ts";

const t = (status: "succeeded" | "failed" | "cancelled" | "running" | "stopped", ended = status !== "running") => ({ status, endedAt: ended ? "2026-01-01T00:00:00Z" : null });

test("a cancelled run: what finished and what was cancelled, never all finished, and not green", () => {
  const tally = tallyTasks([t("succeeded"), t("cancelled")], { started: 2, finished: 2 });
  assert.deepEqual(tally, { started: 2, finished: 1, cancelled: 1 });
  assert.equal(progressText(tally, "cancelled"), "1 of 2 tasks finished, 1 cancelled");
  assert.equal(progressTone("cancelled"), "cancelled");
  assert.equal(progressPercent(tally, "cancelled"), 100);
});

test("a running run counts what ended; a succeeded one is green; failures and timeouts are red", () => {
  const running = tallyTasks([t("succeeded"), t("running"), t("running"), t("failed")], { started: 4, finished: 2 });
  assert.equal(progressText(running, "running"), "2 of 4 tasks finished");
  assert.equal(progressPercent(running, "running"), 50);
  assert.equal(progressTone("running"), "running");
  assert.equal(progressTone("starting"), "running");
  assert.equal(progressTone("succeeded"), "succeeded");
  assert.equal(progressTone("failed"), "failed");
  assert.equal(progressTone("timed_out"), "failed");
  assert.equal(progressText(tallyTasks([t("succeeded")], { started: 1, finished: 1 }), "succeeded"), "1 of 1 task finished");
});

test("before any task the run's own counts speak; a run that ended with none says so", () => {
  assert.equal(progressText(tallyTasks([], { started: 0, finished: 0 }), "queued"), "no task started yet");
  assert.equal(progressText(tallyTasks([], { started: 0, finished: 0 }), "failed"), "no task started");
  assert.equal(progressPercent(tallyTasks([], { started: 0, finished: 0 }), "running"), 0);
  assert.deepEqual(tallyTasks([], { started: 3, finished: 1 }), { started: 3, finished: 1, cancelled: 0 });
});
