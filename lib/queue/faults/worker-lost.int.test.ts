/**
 * A worker process SIGKILLed mid-run (`npm run worker`, as an operator runs it): the run ends
 * `failed` with WorkerLost and a clear message within about three heartbeats, retries happen
 * only where a function opts in (none here), and the containers it left are removed by the next
 * worker that registers on that engine.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import Docker from "dockerode";
import { startQueueCluster, type ClusterWorker, type QueueCluster } from "../../testing/queue-cluster.ts";
import type { PublishResult } from "../../types.ts";
import { leftovers, logLines, noLeftovers, PROBE, settled, until } from "../../testing/queue-faults.ts";
import { bodyInstance, workerHeaders } from "../../testing/route-server.ts";
import { PROTOCOL_VERSION } from "../../../runner/worker/protocol.ts";

const HEARTBEAT_MS = 500;
let cluster: QueueCluster;
let probe: PublishResult;
let heir: ClusterWorker | null = null;
const docker = new Docker();

before(async () => {
  cluster = await startQueueCluster({ heartbeatMs: HEARTBEAT_MS });
  probe = await cluster.publishDirectory(PROBE);
});
after(async () => {
  await cluster?.close();
});

test("a worker killed mid-run: the run fails WorkerLost within ~3 heartbeats; the next worker on that engine reaps its containers", async (t) => {
  const { startRun } = await import("../../runs/index.ts");
  const doomed = await cluster.spawnWorker({ name: "doomed", capacity: 1 });
  const started = await startRun(cluster.alice, { versionId: probe.versionId, function: "tick", args: { n: 120, every: 0.5 } });
  try {
    await until(cluster.alice, started.id, "a tick", (r) => logLines(r).some((l) => l.startsWith("tick ")), 60_000);
  } catch (err) {
    throw new Error(`${(err as Error).message}\nworker output:\n${doomed.output()}`);
  }
  assert.ok((await leftovers(docker, started.id)).length >= 2, "its workflow and tool containers run");

  const killedAt = Date.now();
  await doomed.kill("SIGKILL");
  const run = await settled(cluster.alice, started.id, HEARTBEAT_MS * 3 + 10_000);
  const tookMs = Date.now() - killedAt;
  t.diagnostic(`the run ended ${run.status} ${tookMs} ms after the worker was killed (heartbeat ${HEARTBEAT_MS} ms): ${run.error?.message}`);
  assert.equal(run.status, "failed");
  assert.equal(run.error?.type, "WorkerLost");
  assert.match(run.error?.message ?? "", /worker doomed stopped answering at \d{4}-\d\d-\d\dT/);
  assert.equal(run.tasks.filter((t) => t.status === "running").length, 0, "no task is left running on the page");
  // three missed heartbeats plus one janitor pass and one poll of this test
  assert.ok(tookMs < HEARTBEAT_MS * 5 + 2000, `declared lost after ${tookMs} ms`);

  // nothing on the hub's side can reach the engine: its containers are still there until a worker comes
  assert.ok((await leftovers(docker, started.id)).length > 0, "the killed worker's containers outlive it");
  heir = await cluster.startWorker({ name: "heir", capacity: 1 });
  await noLeftovers({ first: docker }, started.id, 15_000);

  // no retry for a function that did not opt in: the run stays failed, and the heir takes new runs
  const next = await startRun(cluster.alice, { versionId: probe.versionId, function: "tick", args: { n: 1, every: 0.1 } });
  const done = await settled(cluster.alice, next.id, 60_000);
  assert.equal(done.status, "succeeded", JSON.stringify(done.error));
  assert.equal(done.worker, "heir");
  const again = await settled(cluster.alice, started.id, 1000);
  assert.equal(again.status, "failed");
});

test("a long poll the worker gave up (it is stopping) hands out nothing: the run stays queued for a live worker", async () => {
  const { startRun, getRun } = await import("../../runs/index.ts");
  await heir?.stop({ cancelRunning: false }); // no live worker: only the given-up poll could take a run
  const token = await cluster.workerToken("quitter");
  const call = (p: string, body: unknown, signal?: AbortSignal) =>
    fetch(`${cluster.url}${p}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...workerHeaders(bodyInstance(body)) }, body: JSON.stringify(body), signal });
  const reg = (await (
    await call("/api/worker/register", { protocol: PROTOCOL_VERSION, name: "quitter", version: "test", engine: { host: "none", version: "none" }, capacity: 1, labels: { hostNetwork: false } })
  ).json()) as { instance: string };
  const abort = new AbortController();
  const polling = call("/api/worker/poll", { instance: reg.instance, free: 1, waitMs: 20_000 }, abort.signal).catch(() => null);
  await new Promise((r) => setTimeout(r, 300));
  abort.abort();
  await polling;
  const started = await startRun(cluster.alice, { versionId: probe.versionId, function: "tick", args: { n: 1, every: 0.1 } });
  await new Promise((r) => setTimeout(r, 2000));
  const run = await getRun(cluster.alice, started.id);
  assert.equal(run.status, "queued", `claimed by ${run.worker}`);
  assert.equal(run.worker, null);
  await cluster.startWorker({ name: "successor", capacity: 1 });
  const done = await settled(cluster.alice, started.id, 60_000);
  assert.equal(done.status, "succeeded", JSON.stringify(done.error));
  assert.equal(done.worker, "successor");
});
