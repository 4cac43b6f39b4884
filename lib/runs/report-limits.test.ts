import { test } from "node:test";
import assert from "node:assert/strict";
import { collectionsOverQuota, droppedLinesNotice, runLimitsOf, RUN_REPORT_LIMITS, storableCollection, tallyLine, taskOverQuota, type LogTally } from "./report-limits.ts";
import { defaultRunLimits } from "../../runner/src/policy/policy.ts";
import { REPORT_BOUNDS } from "../../runner/worker/protocol.ts";

test("the hub's caps are the figures the worker cuts to", () => {
  assert.equal(RUN_REPORT_LIMITS.collections, REPORT_BOUNDS.collections);
  assert.equal(RUN_REPORT_LIMITS.lineChars, REPORT_BOUNDS.logLineChars);
  assert.equal(RUN_REPORT_LIMITS.messageChars, REPORT_BOUNDS.messageChars);
  assert.ok(RUN_REPORT_LIMITS.collectionChars <= REPORT_BOUNDS.textChars, "a storable name survives the worker's cut");
});

test("a run's limits: its policy's, or today's defaults for a run without one", () => {
  assert.deepEqual(runLimitsOf(null), defaultRunLimits());
  assert.deepEqual(runLimitsOf({ hostNetwork: false }), defaultRunLimits());
  assert.equal(runLimitsOf({ limits: { ...defaultRunLimits(), maxTasks: 7 } }).maxTasks, 7);
});

test("storable collections: the run's own names, never the hub's, never too long", () => {
  for (const ok of ["levhub|hello", "a|b|c.d@1", "x".repeat(512)]) assert.equal(storableCollection(ok), true, ok);
  for (const bad of ["", "_levhub_counters", "system.users", "a||b", "|a", "a$b", "a\0b", "x".repeat(513)]) assert.equal(storableCollection(bad), false, JSON.stringify(bad));
});

test("task numbers up to the run's maxTasks; collections up to the cap; refusals name the cap", () => {
  assert.equal(taskOverQuota(0, { maxTasks: 3 }), null);
  assert.equal(taskOverQuota(3, { maxTasks: 3 }), null);
  assert.match(taskOverQuota(4, { maxTasks: 3 }) ?? "", /task 4; this run may start at most 3 tasks/);
  assert.equal(collectionsOverQuota(RUN_REPORT_LIMITS.collections), null);
  assert.match(collectionsOverQuota(RUN_REPORT_LIMITS.collections + 1) ?? "", new RegExp(`more than ${RUN_REPORT_LIMITS.collections} collections`));
});

test("log lines: kept while under both caps; from the first dropped line on, every line is counted and dropped", () => {
  let t: LogTally = { lines: 0, dropped: 0, bytes: 0 };
  const add = (bytes: number) => {
    const r = tallyLine(t, bytes);
    t = r.tally;
    return r.keep;
  };
  assert.equal(add(100), true);
  assert.equal(add(RUN_REPORT_LIMITS.logBytes - 100), true, "exactly up to the byte cap");
  assert.equal(add(1), false);
  assert.equal(add(0), false, "nothing after a dropped line, however small");
  assert.deepEqual(t, { lines: 4, dropped: 2, bytes: RUN_REPORT_LIMITS.logBytes });
  t = { lines: RUN_REPORT_LIMITS.logLines, dropped: 0, bytes: 10 };
  assert.equal(add(1), false, "past the line cap");
  assert.equal(droppedLinesNotice(1), `1 more log line was not kept (a run keeps at most ${RUN_REPORT_LIMITS.logLines} lines and 16 MiB of log)`);
  assert.match(droppedLinesNotice(5), /^5 more log lines were not kept/);
});
