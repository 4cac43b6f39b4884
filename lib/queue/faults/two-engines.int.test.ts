/**
 * Two workers on two Docker engines of this machine, each engine in its own network namespace
 * like a separate host, each worker with a data directory of its own: runs spread over both, a
 * run's containers are on its worker's engine only, results and logs arrive, and the run that
 * the host network was granted to goes to the worker labelled for it (and really runs on that
 * host's network). Then the second engine is restarted under a running run.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import Docker from "dockerode";
import { startQueueCluster, type QueueCluster } from "../../testing/queue-cluster.ts";
import { startSecondEngine, type SecondEngine } from "../../testing/second-engine.ts";
import type { PublishResult } from "../../types.ts";
import { documents, HELLO, IMAGE, logLines, noLeftovers, PROBE, settled, until, watchEngines } from "../../testing/queue-faults.ts";

let cluster: QueueCluster;
let second: SecondEngine;
let hello: PublishResult;
let probe: PublishResult;
let engines: Record<string, Docker>;

before(async () => {
  [cluster, second] = await Promise.all([startQueueCluster({ queue: { totalRuns: 16, perUserRuns: 16 } }), startSecondEngine({ name: "two" })]);
  await second.loadImage(IMAGE);
  engines = { first: new Docker(), second: second.docker };
  hello = await cluster.publishDirectory(HELLO);
  probe = await cluster.publishDirectory(PROBE);
  // the probe's namespace is granted the host's network. The second engine shares this machine's
  // kernel, so the hub counts it as its own machine: the admin's unsafe setting lets a host grant
  // run there (what this suite checks is where such a run goes and whose network it gets)
  const { db } = await import("../../platform/db.ts");
  const { updateSettings } = await import("../../platform/settings.ts");
  const ns = await db().namespace.findUniqueOrThrow({ where: { name: "faults" } });
  await db().grant.create({ data: { namespaceId: ns.id, packageId: null, network: "host", caps: [], note: "the fault suite's probe" } });
  await updateSettings({ hostNetworkOnHubMachine: true });
  await cluster.startWorker({ name: "first", capacity: 2 });
  // the only worker allowed to run granted host-network runs; it takes ordinary runs too
  await cluster.startWorker({ name: "second", engine: second.engine(), capacity: 2, hostNetwork: true });
});
after(async () => {
  await cluster?.close();
  await second?.stop();
});

test("runs spread over both workers; each run's containers are on its worker's engine only; results and logs arrive", async (t) => {
  const { startRun } = await import("../../runs/index.ts");
  const watch = await watchEngines(engines);
  try {
    const names = Array.from({ length: 8 }, (_, i) => `guest-${i}`);
    const started = await Promise.all(names.map((name) => startRun(cluster.alice, { versionId: hello.versionId, function: "greet.hello", args: { name } })));
    const runs = await Promise.all(started.map((r) => settled(cluster.alice, r.id, 120_000)));
    for (const [i, run] of runs.entries()) {
      assert.equal(run.status, "succeeded", JSON.stringify(run.error));
      assert.ok(logLines(run).includes(`hello, ${names[i]}`), `run ${i} logged its greeting: ${JSON.stringify(logLines(run))}`);
      const docs = await documents(cluster.alice, run.id);
      assert.deepEqual(
        docs.filter((d) => d.task === 1).map((d) => d.doc.greeting),
        [`hello, ${names[i]}`],
      );
    }
    for (const run of runs) {
      const ms = (a: string | null, b: string | null) => (a && b ? `${Date.parse(b) - Date.parse(a)} ms` : "?");
      t.diagnostic(`${run.id} on ${run.worker}: queued→started ${ms(run.createdAt, run.startedAt)}, started→ended ${ms(run.startedAt, run.endedAt)}`);
    }
    const byWorker = new Map<string, number>();
    for (const run of runs) byWorker.set(run.worker ?? "none", (byWorker.get(run.worker ?? "none") ?? 0) + 1);
    assert.deepEqual([...byWorker.keys()].sort(), ["first", "second"], `runs per worker: ${JSON.stringify([...byWorker])}`);
    for (const run of runs) {
      const created = watch.events.filter((e) => e.run === run.id && e.action === "create");
      assert.ok(created.length >= 2, `the workflow and the tool container of ${run.id} were seen (${created.length})`);
      assert.deepEqual([...new Set(created.map((e) => e.engine))], [run.worker], `run ${run.id} ran on its worker's engine only`);
      await noLeftovers(engines, run.id);
    }
  } finally {
    watch.stop();
  }
});

test("the run granted the host's network goes to the hostNetwork worker and runs on that host's network", async () => {
  const { startRun } = await import("../../runs/index.ts");
  const started = await startRun(cluster.alice, { versionId: probe.versionId, function: "interfaces", args: {} });
  const run = await settled(cluster.alice, started.id, 60_000);
  assert.equal(run.status, "succeeded", JSON.stringify(run.error));
  assert.equal(run.worker, "second");
  const [doc] = (await documents(cluster.alice, run.id)).filter((d) => d.task === 1);
  // the second engine's network namespace: its own docker0 (10.213.0.1), not the first host's 172.17.0.1
  assert.ok((doc.doc.addresses as string[]).includes("10.213.0.1"), JSON.stringify(doc.doc));
  assert.ok(!(doc.doc.addresses as string[]).includes("172.17.0.1"), JSON.stringify(doc.doc));
  await noLeftovers(engines, run.id);
});

test("the second engine restarted mid-run: the run ends with a clear error within a bound, nothing is left on the engine", async () => {
  const { startRun } = await import("../../runs/index.ts");
  // only the second worker may take it: a granted run waits on the host-network queue
  const started = await startRun(cluster.alice, { versionId: probe.versionId, function: "tick", args: { n: 60, every: 0.5 } });
  await until(cluster.alice, started.id, "a tick", (r) => r.worker === "second" && logLines(r).some((l) => l.startsWith("tick ")));
  await second.restart();
  const run = await settled(cluster.alice, started.id, 60_000);
  assert.equal(run.status, "failed");
  // the engine stopping sends its containers SIGTERM: that is what the run reports
  assert.match(run.error?.message ?? "", /terminated \(SIGTERM\)/);
  assert.ok(run.tasks.every((t) => t.endedAt !== null), "no task is left running on the page");
  await noLeftovers(engines, run.id, 20_000);

  // the engine and its worker serve runs again
  const next = await startRun(cluster.alice, { versionId: probe.versionId, function: "tick", args: { n: 1, every: 0.1 } });
  const done = await settled(cluster.alice, next.id, 60_000);
  assert.equal(done.status, "succeeded", JSON.stringify(done.error));
});
