import { test } from "node:test";
import assert from "node:assert/strict";
import type { RunResult, TaskRecord } from "../src/types.ts";
import { reportedEvents } from "./events.ts";
import { EVENT_BATCH_LIMITS, eventsRequestSchema, REPORT_BOUNDS, reportedEventSchema } from "./protocol.ts";

const at = "2026-01-01T00:00:00.000Z";
const task = (number: number, over: Partial<TaskRecord> = {}): TaskRecord => ({
  number,
  image: "levhub/python:bookworm",
  schema: "t/s.m",
  coll: "t|s.m",
  host: `t${number}`,
  status: "succeeded",
  exitCode: 0,
  startedAt: at,
  endedAt: at,
  error: null,
  stored: true,
  ...over,
});

function result(over: Partial<RunResult> = {}): RunResult {
  return { runId: "r", job: 1, owner: "o", function: "f", status: "failed", error: null, exitCode: 1, tasks: [], collections: [], logs: [], logsDropped: 0, startedAt: at, endedAt: at, ...over } as RunResult;
}

test("a run's end reports its tasks first, one event each; run.finished itself carries none", () => {
  const events = reportedEvents({ type: "run.finished", result: result({ tasks: [task(1), task(2, { status: "cancelled" })], collections: ["t|s.m"] }) });
  assert.deepEqual(
    events.map((e) => e.type),
    ["task.finished", "task.finished", "run.finished"],
  );
  const end = events.at(-1)!;
  assert.ok(end.type === "run.finished");
  assert.deepEqual(end.tasks, []);
  assert.deepEqual(end.collections, ["t|s.m"]);
  assert.equal(events[1].type === "task.finished" && events[1].task.status, "cancelled");
});

test("texts are cut to the report's bounds, so that the largest possible event still fits in one request", () => {
  const huge = "\u0001".repeat(1024 * 1024);
  const [line] = reportedEvents({ type: "log", log: { task: 0, stream: "stdout", line: huge, at } });
  assert.ok(line.type === "log" && line.log.line.length === REPORT_BOUNDS.logLineChars);
  const error = { type: "TaskFailed" as const, message: huge, traceback: huge, task: 1 };
  const events = reportedEvents({
    type: "run.finished",
    result: result({
      error,
      tasks: [task(1, { image: huge, schema: huge, coll: huge, host: huge, resolvedImage: huge, error })],
      collections: Array.from({ length: 5000 }, (_, i) => `c${i}|${huge.slice(0, 2000)}`),
    }),
  });
  const end = events.at(-1)!;
  assert.ok(end.type === "run.finished");
  assert.equal(end.collections.length, REPORT_BOUNDS.collections + 1, "one past the cap: the hub sees it was passed");
  for (const e of [line, ...events]) {
    // control characters are the worst case: six bytes of JSON each
    const bytes = Buffer.byteLength(JSON.stringify({ seq: 1, event: e }));
    assert.ok(bytes < EVENT_BATCH_LIMITS.bytes - 4096, `a ${e.type} event of ${bytes} bytes fits in one request`);
  }
  const t = events[0];
  assert.ok(t.type === "task.finished");
  assert.equal(t.task.image.length, REPORT_BOUNDS.textChars);
  assert.equal(t.task.error?.traceback?.length, REPORT_BOUNDS.messageChars);
  // and what is cut is still a report the hub takes
  assert.equal(eventsRequestSchema.safeParse({ instance: "6f1c7f5e-7c8a-4b55-9a57-0c1bbf3d8a11", events: events.map((event, i) => ({ seq: i + 1, event })) }).success, true);
});

test("a worker reports its runs' log lines, but keeps the runner's machinery (internal lines) to itself", () => {
  const line = { task: 0, stream: "system" as const, line: "task 1 could not start: PolicyDenied", at };
  const sent = reportedEvents({ type: "log", log: line });
  assert.deepEqual(sent, [{ type: "log", log: line }]);
  assert.ok(reportedEventSchema.safeParse(sent[0]).success);
  assert.deepEqual(reportedEvents({ type: "log", log: { ...line, line: "checking that joe.net builds this Cr (planner)", internal: true } }), []);
  assert.deepEqual(reportedEvents({ type: "run.started", runId: "r", job: 1, at }), [{ type: "run.started", at }]);
});
