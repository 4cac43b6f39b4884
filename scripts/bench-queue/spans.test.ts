import assert from "node:assert/strict";
import { test } from "node:test";
import { phaseSpans, slotTurnaround } from "./spans.ts";

const d = (ms: number) => new Date(ms);

test("slotTurnaround pairs each end with the first later claim not yet paired", () => {
  const runs = [
    { id: "a", createdAt: d(0), claimedAt: d(0), endedAt: d(100) },
    { id: "b", createdAt: d(0), claimedAt: d(0), endedAt: d(150) },
    { id: "c", createdAt: d(0), claimedAt: d(130), endedAt: d(300) },
    { id: "d", createdAt: d(0), claimedAt: d(160), endedAt: d(400) },
  ];
  assert.deepEqual(slotTurnaround(runs), [30, 10]);
});

test("phaseSpans measures each phase from the run's timestamps and its containers' events", () => {
  const runs = [{ id: "r", createdAt: d(0), claimedAt: d(10), endedAt: d(500) }];
  const ev = (role: string, action: string, at: number) => ({ engine: "e", run: "r", role, action, at });
  const events = [ev("workflow", "create", 40), ev("workflow", "start", 60), ev("tool", "create", 200), ev("tool", "start", 220), ev("tool", "die", 300), ev("workflow", "die", 400), ev("workflow", "destroy", 450)];
  const rows = new Map(phaseSpans(runs, events).map((r) => [r.phase, r.p50]));
  assert.equal(rows.get("submitted → claimed by the worker"), 10);
  assert.equal(rows.get("claimed by the worker → workflow container created"), 30);
  assert.equal(rows.get("workflow container started → tool container created"), 140);
  assert.equal(rows.get("workflow container exited → run ended (hub)"), 100);
  assert.equal(rows.get("claimed → ended (a slot held)"), 490);
  assert.equal(rows.get("workflow container exited → removed"), 50);
  assert.equal(rows.get("tool container exited → workflow container exited"), 100);
  // with the worker's "task finished" lines, the tool's exit to the workflow's splits in two
  const split = new Map(phaseSpans(runs, events, new Map([["r", 340]])).map((r) => [r.phase, r.p50]));
  assert.equal(split.get("tool container exited → task's end recorded by the runner (document stored)"), 40);
  assert.equal(split.get("task's end recorded by the runner (document stored) → workflow container exited"), 60);
  assert.equal(split.get("tool container exited → workflow container exited"), undefined);
});
