/**
 * Part 5 of bench:queue: the warm pool (runner/src/run/warm-pool.ts) against cold starts in the
 * same run. Two workers on the same engine, one without a pool and one with, serve the same runs
 * of levhub.hello's greet.hello:
 *   - one at a time: submit → the workflow running (the worker's "workflow started" line, printed
 *     once the container started (cold) or was told to go (warm)), and submit → the engine's start
 *     of the run's tool container (the workflow running far enough to ask for its task);
 *   - a burst of BENCH_WARM_BURST runs submitted at once, a pool as large as the burst: the same;
 *   - what a waiting warm container costs: the memory of its cgroup and of its containerd shim.
 * And part 2's throughput again with a pool (`warmThroughput`), against part 2's plain runs.
 */
import { readdirSync, readFileSync } from "node:fs";
import Docker from "dockerode";
import { LABEL } from "../../runner/src/engine/labels.ts";
import { watchEngines, type ContainerEvent } from "../../lib/testing/queue-faults.ts";
import type { QueueCluster, WorkerProcess } from "../../lib/testing/queue-cluster.ts";
import type { PublishResult } from "../../lib/types.ts";
import { lineTimes } from "./worker-lines.ts";
import { percentile, sleep, summary, waitAll, waitWorkers } from "./waits.ts";

const RUNS = Number(process.env.BENCH_WARM_RUNS ?? 20);
const BURST = Number(process.env.BENCH_WARM_BURST ?? 8);

const fmt = (xs: number[]) => (xs.length ? `p50 ${percentile(xs, 50).toFixed(0)} ms  p95 ${percentile(xs, 95).toFixed(0)} ms  (n ${xs.length})` : "no sample");

/** When the worker printed "workflow started" for each run, on this process's clock. */
const workflowStarts = (worker: WorkerProcess) => lineTimes(worker, /workflow started(?: \(warm\))? \{"run":"([^"]+)"/);

async function waitFor<T>(what: string, get: () => T | undefined, ms = 120_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

interface Sample {
  claimed: number;
  workflow: number;
  tool: number;
}

async function measure(cluster: QueueCluster, hello: PublishResult, starts: Map<string, number>, events: ContainerEvent[], n: number): Promise<Sample[]> {
  const { startRun } = await import("../../lib/runs/index.ts");
  const { db } = await import("../../lib/platform/db.ts");
  const submitted = Date.now();
  const runs = await Promise.all(Array.from({ length: n }, (_, i) => startRun(cluster.alice, { versionId: hello.versionId, function: "greet.hello", args: { name: `w${i}` } })));
  const seen: { id: string; workflow: number; tool: number }[] = [];
  for (const r of runs) {
    const wf = await waitFor(`run ${r.id}'s workflow`, () => starts.get(r.id));
    const tool = await waitFor(`run ${r.id}'s tool`, () => events.find((e) => e.run === r.id && e.role === "tool" && e.action === "start")?.at);
    seen.push({ id: r.id, workflow: wf - submitted, tool: tool - submitted });
  }
  await waitAll(
    runs.map((r) => r.id),
    120_000,
  );
  const claims = new Map((await db().run.findMany({ where: { id: { in: runs.map((r) => r.id) } }, select: { id: true, claimedAt: true } })).map((r) => [r.id, r.claimedAt!.getTime()]));
  return seen.map((s) => ({ claimed: claims.get(s.id)! - submitted, workflow: s.workflow, tool: s.tool }));
}

async function ready(docker: Docker, n: number): Promise<string[]> {
  for (let i = 0; i < 600; i++) {
    const list = await docker.listContainers({ filters: JSON.stringify({ label: [`${LABEL.role}=warm`], status: ["running"] }) });
    // a started container prints its line a moment after it starts: give it that moment
    if (list.length >= n) {
      await sleep(1500);
      return list.map((c) => c.Id);
    }
    await sleep(100);
  }
  throw new Error(`fewer than ${n} warm containers started`);
}

/** RSS of the containerd shim serving a container, MiB (0 when not found) */
function shimMb(containerId: string): number {
  for (const p of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8");
      if (cmd.startsWith("/usr/bin/containerd-shim") && cmd.includes(containerId)) {
        return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0) / 1024;
      }
    } catch {
      // gone
    }
  }
  return 0;
}

export async function warmStart(cluster: QueueCluster, hello: PublishResult): Promise<void> {
  const docker = new Docker();
  const watch = await watchEngines({ first: docker });
  try {
    console.log(`5. warm start: a worker with a pool of ${BURST} warm workflow containers vs one without, the same runs (greet.hello)`);
    const rows: [string, Sample[], Sample[]][] = [];
    let idle = "";
    for (const warm of [false, true]) {
      const worker = await cluster.spawnWorker({ name: warm ? "warm" : "cold", capacity: BURST }, { env: { LEVHUB_WORKER_WARM: warm ? String(BURST) : "0" } });
      const starts = workflowStarts(worker);
      await waitWorkers([worker.name]);
      // the first run of a kind starts cold and fills the pool; it warms the package cache either way
      await measure(cluster, hello, starts, watch.events, 1);
      const one: Sample[] = [];
      for (let i = 0; i < RUNS; i++) {
        if (warm) await ready(docker, BURST);
        one.push(...(await measure(cluster, hello, starts, watch.events, 1)));
      }
      if (warm) {
        const ids = await ready(docker, BURST);
        const mem = await Promise.all(ids.map(async (id) => ((await docker.getContainer(id).stats({ stream: false })) as { memory_stats: { usage?: number; stats?: { inactive_file?: number } } }).memory_stats));
        const cg = mem.map((m) => ((m.usage ?? 0) - (m.stats?.inactive_file ?? 0)) / 1048576);
        const shim = ids.map(shimMb);
        const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        idle = `   idle cost of a waiting warm container: ${avg(cg).toFixed(1)} MiB in its cgroup + ${avg(shim).toFixed(1)} MiB its containerd shim; ${BURST} of them: ${(BURST * (avg(cg) + avg(shim))).toFixed(0)} MiB (why the pool is off by default)`;
      }
      const burst = await measure(cluster, hello, starts, watch.events, BURST);
      rows.push([warm ? "warm pool" : "cold     ", one, burst]);
      await worker.kill("SIGTERM");
    }
    for (const [name, one, burst] of rows) {
      for (const [what, xs] of [["one at a time", one], [`a burst of ${BURST}`, burst]] as const) {
        console.log(`   ${name}  ${what.padEnd(13)}  submit → claimed ${fmt(xs.map((s) => s.claimed))}`);
        console.log(`   ${name}  ${" ".repeat(13)}  submit → workflow running ${fmt(xs.map((s) => s.workflow))}   ← the first container`);
        console.log(`   ${name}  ${" ".repeat(13)}  submit → its tool started ${fmt(xs.map((s) => s.tool))}`);
      }
    }
    console.log("   (target: a warm burst's first container p50 ≤ 150 ms, below the cold start measured here)");
    if (idle) console.log(idle);
  } finally {
    watch.stop();
  }
}

/** Part 2's runs again, on a worker whose pool is as large as its capacity: the ratio against part 2's plain `docker run`s. */
export async function warmThroughput(cluster: QueueCluster, hello: PublishResult, par: number, limit: number, rawS: number): Promise<void> {
  const { startRun } = await import("../../lib/runs/index.ts");
  const worker = await cluster.spawnWorker({ name: "warm-throughput", capacity: limit }, { env: { LEVHUB_WORKER_WARM: String(limit) } });
  try {
    await waitWorkers([worker.name]);
    // one run of the kind fills the pool
    const first = await startRun(cluster.alice, { versionId: hello.versionId, function: "greet.hello", args: { name: "first" } });
    await waitAll([first.id], 120_000);
    await ready(new Docker(), limit);
    const t0 = Date.now();
    const runs = await Promise.all(Array.from({ length: par }, (_, i) => startRun(cluster.alice, { versionId: hello.versionId, function: "greet.hello", args: { name: `warm-${i}` } })));
    const ids = runs.map((r) => r.id);
    const ended = await waitAll(ids, 20 * 60_000);
    const secs = (ended.lastEnd - t0) / 1000;
    const log = worker.output();
    const warmStarts = ids.filter((id) => log.includes(`workflow started (warm) {"run":"${id}"`)).length;
    console.log(`   queue + 1 worker with a warm pool of ${limit}   ${secs.toFixed(1)} s   ${(par / secs).toFixed(2)} runs/s   (${summary(ended)}; ${warmStarts} started warm, ${par - warmStarts} cold: found the pool empty)`);
    console.log(`   ratio queue (warm)/raw  ${(rawS / secs).toFixed(2)}×   (target ≥ 0.9×)`);
  } finally {
    await worker.kill("SIGTERM");
  }
}
