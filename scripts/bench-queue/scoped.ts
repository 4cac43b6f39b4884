/**
 * Part 2's runs again in a scoped project whose runs require enforcement (issue 22, point 1: scoped
 * and unscoped side by side): each run's tool joins the run's own bridge, with its nftables rules
 * and DNS responder set up before it and removed after. Against part 2's plain and unscoped figures.
 */
import Docker from "dockerode";
import { watchEngines } from "../../lib/testing/queue-faults.ts";
import type { QueueCluster } from "../../lib/testing/queue-cluster.ts";
import { formatSpans, phaseSpans } from "./spans.ts";
import { lineTimes } from "./worker-lines.ts";
import { sleep, summary, waitAll, waitWorkers } from "./waits.ts";
import type { PublishResult } from "../../lib/types.ts";


export async function scopedThroughput(cluster: QueueCluster, hello: PublishResult, par: number, limit: number, base: { rawS: number; queueS: number }): Promise<void> {
  const { startRun } = await import("../../lib/runs/index.ts");
  const { db } = await import("../../lib/platform/db.ts");
  const { enforcedProject } = await import("../../lib/testing/projects.ts");
  // a documentation range: greet.hello connects nowhere; the rules exist all the same
  await enforcedProject(cluster.alice, "bench-scoped", "Bench scoped", ["192.0.2.0/24"]);
  const worker = await cluster.spawnWorker({ name: "scoped-throughput", capacity: limit });
  const taskEnds = lineTimes(worker, /task finished \{"run":"([^"]+)"/);
  const rules: number[] = [];
  const cleanups: Record<string, number>[] = [];
  worker.child.stdout!.on("data", (d: Buffer) => {
    const text = d.toString();
    for (const m of text.matchAll(/scope enforced \{[^}]*"ms":(\d+)/g)) rules.push(Number(m[1]));
    for (const m of text.matchAll(/run cleaned up \{"run":"[^"]+","ms":(\{[^}]*\})/g)) cleanups.push(JSON.parse(m[1]) as Record<string, number>);
  });
  const watch = await watchEngines({ first: new Docker() });
  try {
    await waitWorkers([worker.name]);
    const t0 = Date.now();
    const runs = await Promise.all(
      Array.from({ length: par }, (_, i) => startRun(cluster.alice, { versionId: hello.versionId, function: "greet.hello", args: { name: `scoped-${i}` }, project: "bench-scoped" })),
    );
    const ids = runs.map((r) => r.id);
    const ended = await waitAll(ids, 20 * 60_000);
    const secs = (ended.lastEnd - t0) / 1000;
    const reports = await db().run.findMany({ where: { id: { in: ids } }, select: { scopeReport: true } });
    const enforced = reports.filter((r) => (r.scopeReport as { enforcement?: string } | null)?.enforcement === "enforced").length;
    console.log(`   queue + 1 worker, scoped (enforced)   ${secs.toFixed(1)} s   ${(par / secs).toFixed(2)} runs/s   (${summary(ended)}; ${enforced} enforced)`);
    console.log(`   ratio queue (scoped)/raw  ${(base.rawS / secs).toFixed(2)}×;  scoped vs unscoped: ${(((secs - base.queueS) * 1000 * limit) / par).toFixed(0)} ms more of a slot per run`);
    await sleep(500);
    const times = await db().run.findMany({ where: { id: { in: ids } }, select: { id: true, createdAt: true, claimedAt: true, endedAt: true } });
    const sorted = [...rules].sort((a, b) => a - b);
    console.log(`   where a scoped run's time goes (its rules set up: p50 ${sorted[Math.floor(sorted.length / 2)] ?? "?"} ms, n ${sorted.length}):`);
    for (const line of formatSpans(phaseSpans(times, watch.events, taskEnds))) console.log(line);
    const steps = Object.keys(cleanups[0] ?? {});
    const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`   a scoped run's end, step by step (p50 ms over ${cleanups.length}): ${steps.map((k) => `${k} ${p50(cleanups.map((c) => c[k] ?? 0))}`).join(", ")}`);
  } finally {
    watch.stop();
    await worker.kill("SIGTERM");
  }
}
