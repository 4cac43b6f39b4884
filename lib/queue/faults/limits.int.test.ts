/**
 * Limits through the queue and a worker: a tool killed for memory ends with a clear "out of
 * memory", a task over its own time limit is killed with TaskTimeout; each leaves nothing behind.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import Docker from "dockerode";
import { startQueueCluster, type QueueCluster } from "../../testing/queue-cluster.ts";
import type { PublishResult } from "../../types.ts";
import { noLeftovers, PROBE, settled } from "../../testing/queue-faults.ts";

const MiB = 1024 * 1024;
let cluster: QueueCluster;
let probe: PublishResult;
const engines = { first: new Docker() };

before(async () => {
  cluster = await startQueueCluster();
  probe = await cluster.publishDirectory(PROBE);
  const { getSettings, updateSettings } = await import("../../platform/settings.ts");
  const { run } = await getSettings();
  // the policy is fixed at submission: runs submitted from now on get tools of 96 MiB
  await updateSettings({ run: { ...run, tool: { ...run.tool, memoryBytes: 96 * MiB } } });
  await cluster.startWorker({ name: "limits", capacity: 2 });
});
after(async () => {
  await cluster?.close();
});

test("a tool killed for memory: the task and the run fail with a clear 'out of memory'", async () => {
  const { startRun } = await import("../../runs/index.ts");
  const started = await startRun(cluster.alice, { versionId: probe.versionId, function: "hog", args: {} });
  const run = await settled(cluster.alice, started.id, 60_000);
  assert.equal(run.status, "failed");
  const [task] = run.tasks;
  assert.equal(task.status, "failed");
  assert.match(task.error?.message ?? "", /out of memory.*96 MiB/);
  assert.match(run.error?.message ?? "", /out of memory/);
  await noLeftovers(engines, run.id);
});

test("a task over its own time limit is killed: TaskTimeout, and the run ends well before the tool's sleep would", async () => {
  const { startRun } = await import("../../runs/index.ts");
  const t0 = Date.now();
  const started = await startRun(cluster.alice, { versionId: probe.versionId, function: "overrun", args: { limit: 1, sleep: 120 } });
  const run = await settled(cluster.alice, started.id, 60_000);
  assert.ok(Date.now() - t0 < 60_000);
  assert.equal(run.status, "failed");
  const [task] = run.tasks;
  assert.equal(task.status, "timed_out");
  assert.equal(task.error?.type, "TaskTimeout");
  assert.match(run.error?.message ?? "", /time limit/);
  await noLeftovers(engines, run.id);
});

test("a run over the admin's run time limit is stopped: timed_out with RunTimeout, nothing left behind", async () => {
  const { startRun } = await import("../../runs/index.ts");
  const { getSettings, updateSettings } = await import("../../platform/settings.ts");
  const before = await getSettings();
  // the limit travels with the run's policy: only runs submitted while it is set get it
  await updateSettings({ run: { ...before.run, runTimeoutMs: 4000 } });
  let runId: string;
  try {
    runId = (await startRun(cluster.alice, { versionId: probe.versionId, function: "tick", args: { n: 200, every: 0.5 } })).id;
  } finally {
    await updateSettings({ run: before.run });
  }
  const t0 = Date.now();
  const run = await settled(cluster.alice, runId, 60_000);
  assert.ok(Date.now() - t0 < 60_000, "stopped long before its 100 s of ticks");
  assert.equal(run.status, "timed_out");
  assert.equal(run.error?.type, "RunTimeout");
  assert.match(run.error?.message ?? "", /time limit of 4 s/);
  await noLeftovers(engines, run.id);
});
