import assert from "node:assert/strict";
import { test } from "node:test";
import { reportedEventSchema } from "./protocol.ts";
import { reportedEvent } from "./events.ts";

test("a worker reports its runs' log lines, but keeps the runner's machinery (internal lines) to itself", () => {
  const line = { task: 0, stream: "system" as const, line: "task 1 could not start: PolicyDenied", at: "2026-01-01T00:00:00.000Z" };
  const sent = reportedEvent({ type: "log", log: line });
  assert.deepEqual(sent, { type: "log", log: line });
  assert.ok(reportedEventSchema.safeParse(sent).success);
  assert.equal(reportedEvent({ type: "log", log: { ...line, line: "checking that joe.net builds this Cr (planner)", internal: true } }), null);
  assert.deepEqual(reportedEvent({ type: "run.started", runId: "r", job: 1, at: line.at }), { type: "run.started", at: line.at });
});
