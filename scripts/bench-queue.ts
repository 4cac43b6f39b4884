/**
 * `npm run bench:queue`: the queue measured in one run on this machine, with its own throwaway hub
 * (PostgreSQL, results database, a hub web process serving the /api routes and the janitor) and
 * its own workers (`npm run worker` processes). Prints figures side by side; asserts nothing.
 *   1. submit → first container: `startRun` returned → the engine's `start` event of the run's
 *      workflow container, one run at a time (BENCH_LATENCY_RUNS, default 40): p50 / p95
 *   2. throughput: BENCH_PAR (100) runs of levhub.hello's greet.hello submitted at once with a
 *      total limit of 8, one worker of capacity 8, vs plain `docker run`s of the same two
 *      containers per run (a workflow, then a tool), 8 runs at a time
 *   3. the software's own ceiling: workers whose engine's containers cost nothing (a played run
 *      over the real channels), BENCH_TASKS (50) tools per run: task lifecycles per second through
 *      queue + worker + runner + event reports + results store, with 1, 2 and 4 workers
 *   4. resident memory (peak) and CPU of the hub web process and of each worker during 2 and 3
 *   2 also runs again with a warm pool (bench-queue/warm.ts) and in a scoped project whose runs
 *      require enforcement (bench-queue/scoped.ts)
 *   5. warm start (bench-queue/warm.ts): a worker with a pool of warm workflow containers vs one
 *      without, one run at a time and in a burst, and what the pool costs while it waits
 * BENCH_PARTS=1,3 runs some of them.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import Docker from "dockerode";
import { HELLO, IMAGE, watchEngines } from "../lib/testing/queue-faults.ts";
import { startQueueCluster, type QueueCluster, type WorkerProcess } from "../lib/testing/queue-cluster.ts";
import type { PublishResult } from "../lib/types.ts";
import { formatSpans, phaseSpans } from "./bench-queue/spans.ts";
import { cpuTicks, ferretdbPid, postgresPids } from "./bench-queue/procs.ts";
import { warmStart, warmThroughput } from "./bench-queue/warm.ts";
import { percentile, sleep, summary, waitAll, waitWorkers } from "./bench-queue/waits.ts";
import { lineTimes } from "./bench-queue/worker-lines.ts";
import { scopedThroughput } from "./bench-queue/scoped.ts";

const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 40);
const PAR = Number(process.env.BENCH_PAR ?? 100);
const LIMIT = 8;
const TASKS = Number(process.env.BENCH_TASKS ?? 50);
/** which of the parts 1, 2, 3, 5 to run (4, memory, comes with 2 and 3) */
const PARTS = new Set((process.env.BENCH_PARTS ?? "1,2,3,5").split(",").map((p) => p.trim()));
const DOCKER = process.env.DOCKER_CLI ?? "docker";

const load = () => loadavg().map((l) => l.toFixed(1)).join(" ");

const CLOCK_TICKS = 100;

/** Peak resident memory of some processes, sampled every 200 ms, and the CPU each used meanwhile. */
function rssSampler(pids: Record<string, number>) {
  const peak: Record<string, number> = {};
  const t0 = performance.now();
  const cpu0: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) cpu0[name] = cpuTicks(pid);
  const timer = setInterval(() => {
    for (const [name, pid] of Object.entries(pids)) {
      try {
        const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
        peak[name] = Math.max(peak[name] ?? 0, kb / 1024);
      } catch {
        // gone
      }
    }
  }, 200);
  return {
    stop() {
      clearInterval(timer);
      const secs = (performance.now() - t0) / 1000;
      const cpu: Record<string, number> = {};
      for (const [name, pid] of Object.entries(pids)) {
        try {
          cpu[name] = ((cpuTicks(pid) - cpu0[name]) / CLOCK_TICKS / secs) * 100;
        } catch {
          cpu[name] = NaN;
        }
      }
      return { peak, cpu };
    },
  };
}

function dockerRun(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(DOCKER, ["run", "--rm", "--label", "zone.lev.bench=1", IMAGE, ...args], { stdio: "ignore" });
    p.on("error", reject);
    p.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`docker run exited ${code}`))));
  });
}

/** how long each plain run took (its two `docker run`s), ms */
const rawRunMs: number[] = [];

/** The plain counterpart of one greet.hello run: a workflow container, then a tool container. */
async function rawRun(i: number) {
  const t0 = performance.now();
  await dockerRun(["python3", "-c", "import json; json.dumps({'function': 'greet.hello'})"]);
  await dockerRun(["python3", "-c", `print('hello, guest-${i}')`]);
  rawRunMs.push(performance.now() - t0);
}

async function pool(n: number, limit: number, job: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < n) await job(next++);
    }),
  );
}

async function latency(cluster: QueueCluster, hello: PublishResult) {
  const { startRun } = await import("../lib/runs/index.ts");
  const watch = await watchEngines({ first: new Docker() });
  const one = async (i: number) => {
    const r = await startRun(cluster.alice, { versionId: hello.versionId, function: "greet.hello", args: { name: `l${i}` } });
    const submitted = Date.now();
    for (let k = 0; k < 600; k++) {
      const started = watch.events.find((e) => e.run === r.id && e.role === "workflow" && e.action === "start");
      if (started) {
        await waitAll([r.id], 120_000);
        return started.at - submitted;
      }
      await sleep(5);
    }
    throw new Error(`no workflow container started for run ${r.id}`);
  };
  try {
    await one(-1); // warm-up: the worker's package cache, the database's plans
    const ms: number[] = [];
    for (let i = 0; i < LATENCY_RUNS; i++) ms.push(await one(i));
    console.log(`1. submit → first container started, ${LATENCY_RUNS} runs one at a time`);
    console.log(`   p50 ${percentile(ms, 50).toFixed(0)} ms   p95 ${percentile(ms, 95).toFixed(0)} ms   max ${Math.max(...ms).toFixed(0)} ms   (targets: p50 ≤ 300 ms, p95 ≤ 600 ms)`);
  } finally {
    watch.stop();
  }
}

async function throughput(cluster: QueueCluster, hello: PublishResult, worker: WorkerProcess): Promise<{ rawS: number; queueS: number }> {
  const { startRun } = await import("../lib/runs/index.ts");
  await rawRun(-1);
  rawRunMs.length = 0;
  let t0 = performance.now();
  await pool(PAR, LIMIT, rawRun);
  const rawS = (performance.now() - t0) / 1000;

  const taskEnds = lineTimes(worker, /task finished \{"run":"([^"]+)"/);
  const rss = rssSampler({ hub: cluster.web.pid, worker: worker.child.pid! });
  const watch = await watchEngines({ first: new Docker() });
  t0 = Date.now();
  const runs = await Promise.all(Array.from({ length: PAR }, (_, i) => startRun(cluster.alice, { versionId: hello.versionId, function: "greet.hello", args: { name: `guest-${i}` } })));
  const ended = await waitAll(
    runs.map((r) => r.id),
    20 * 60_000,
  );
  const { lastEnd } = ended;
  const queueS = (lastEnd - t0) / 1000;
  const { peak, cpu } = rss.stop();
  // the engine's events of the last containers may arrive a moment after the run's end
  await sleep(500);
  watch.stop();
  const { db } = await import("../lib/platform/db.ts");
  const times = await db().run.findMany({ where: { id: { in: runs.map((r) => r.id) } }, select: { id: true, createdAt: true, claimedAt: true, endedAt: true } });
  const spans = phaseSpans(times, watch.events, taskEnds);
  const held = spans.find((r) => r.phase.startsWith("claimed → ended"));
  console.log(`2. throughput: ${PAR} runs (a workflow and a tool container each), ${LIMIT} at a time`);
  console.log(`   docker run ×2 per run   ${rawS.toFixed(1)} s   ${(PAR / rawS).toFixed(2)} runs/s`);
  console.log(`   queue + 1 worker        ${queueS.toFixed(1)} s   ${(PAR / queueS).toFixed(2)} runs/s   (${summary(ended)})`);
  console.log(`   ratio queue/raw         ${(rawS / queueS).toFixed(2)}×   (target ≥ 0.9×)`);
  console.log(`   overhead per run        ${(((queueS - rawS) * 1000 * LIMIT) / PAR).toFixed(0)} ms of a slot (total time difference × ${LIMIT} slots / ${PAR} runs); a slot held p50 ${held?.p50.toFixed(0) ?? "?"} ms vs a plain run p50 ${percentile(rawRunMs, 50).toFixed(0)} ms`);
  console.log(`   where a queued run's time goes (hub timestamps and the engine's container events):`);
  for (const line of formatSpans(spans)) console.log(line);
  console.log(`   peak RSS: hub web process ${peak.hub?.toFixed(0)} MiB, worker ${peak.worker?.toFixed(0)} MiB; CPU: hub ${cpu.hub.toFixed(0)} %, worker ${cpu.worker.toFixed(0)} % of a core`);
  return { rawS, queueS };
}

async function ceiling(cluster: QueueCluster, hello: PublishResult) {
  const { startRun } = await import("../lib/runs/index.ts");
  const { getSettings, updateSettings } = await import("../lib/platform/settings.ts");
  const s = await getSettings();
  await updateSettings({ queue: { totalRuns: 64, perUserRuns: 64 }, run: { ...s.run, maxConcurrentTasks: Math.max(s.run.maxConcurrentTasks, 8), maxTasks: Math.max(s.run.maxTasks, TASKS) } });
  console.log(`3. the software's ceiling: containers that cost nothing, ${TASKS} tools per run (8 at a time), 4 runs per worker at once`);
  for (const n of [1, 2, 4]) {
    const workers: WorkerProcess[] = [];
    for (let i = 0; i < n; i++) {
      workers.push(
        await cluster.spawnWorker(
          { name: `fake-${n}-${i}`, capacity: 4 },
          { script: "scripts/bench-queue-worker.ts", env: { BENCH_TASKS: String(TASKS), BENCH_PARALLEL: "8", BENCH_SCHEMA: "levhub/hello.bench" } },
        ),
      );
    }
    await waitWorkers(workers.map((w) => w.name));
    const pids: Record<string, number> = { hub: cluster.web.pid };
    const ferret = ferretdbPid();
    if (ferret) pids.store = ferret;
    workers.forEach((w, i) => (pids[`worker${i}`] = w.child.pid!));
    const { db } = await import("../lib/platform/db.ts");
    const commits = async () => Number((await db().$queryRaw<{ n: bigint }[]>`SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()`)[0].n);
    const commits0 = await commits();
    const pg = postgresPids(cluster.hub.dataDir);
    const pg0 = pg.reduce((t, p) => t + cpuTicks(p), 0);
    const rss = rssSampler(pids);
    const runsN = 8 * n;
    const t0 = Date.now();
    const runs = await Promise.all(Array.from({ length: runsN }, (_, i) => startRun(cluster.alice, { versionId: hello.versionId, function: "greet.hello", args: { name: `c${i}` } })));
    const ended = await waitAll(
      runs.map((r) => r.id),
      10 * 60_000,
    );
    const { lastEnd } = ended;
    const secs = (lastEnd - t0) / 1000;
    const { peak, cpu } = rss.stop();
    const pgCpu = ((postgresPids(cluster.hub.dataDir).reduce((t, p) => t + cpuTicks(p), 0) - pg0) / CLOCK_TICKS / secs) * 100;
    const tasks = runsN * TASKS;
    const perTask = (pct: number | undefined) => (pct === undefined ? "?" : ((pct / 100) * secs * 1000 / tasks).toFixed(2));
    const workerPeak = Object.entries(peak)
      .filter(([k]) => k.startsWith("worker"))
      .map(([, v]) => v.toFixed(0));
    console.log(
      `   ${n} worker${n > 1 ? "s" : " "}  ${runsN * TASKS} tasks in ${secs.toFixed(1)} s: ${((runsN * TASKS) / secs).toFixed(0)} task lifecycles/s   (${summary(ended)})   peak RSS hub ${peak.hub?.toFixed(0)} MiB, workers ${workerPeak.join(" / ")} MiB; CPU hub ${cpu.hub.toFixed(0)} %, FerretDB ${cpu.store?.toFixed(0) ?? "?"} %, workers ${Object.entries(cpu)
        .filter(([k]) => k.startsWith("worker"))
        .map(([, v]) => v.toFixed(0))
        .join(" / ")} %, PostgreSQL ${pgCpu.toFixed(0)} %`,
    );
    // the bench's own polling (waitAll) commits a few of these too: about 5 a second
    const xacts = (await commits()) - commits0;
    console.log(`      per task lifecycle: CPU hub ${perTask(cpu.hub)} ms, PostgreSQL ${perTask(pgCpu)} ms, FerretDB ${perTask(cpu.store)} ms; ${(xacts / tasks).toFixed(1)} PostgreSQL transactions`);
    await Promise.all(workers.map((w) => w.kill("SIGTERM")));
  }
  console.log("   (target ≥ 500 task lifecycles/s)");
}

async function main() {
  console.log(`bench:queue — load average at start: ${load()} (2 cores; figures scale with what else runs)`);
  const cluster = await startQueueCluster({ heartbeatMs: 5000, queue: { totalRuns: LIMIT, perUserRuns: 1000 } });
  try {
    const hello = await cluster.publishDirectory(HELLO);
    const worker = await cluster.spawnWorker({ name: "bench", capacity: LIMIT });
    await waitWorkers(["bench"]);
    if (PARTS.has("1")) await latency(cluster, hello);
    const base = PARTS.has("2") ? await throughput(cluster, hello, worker) : null;
    await worker.kill("SIGTERM");
    if (base) {
      await warmThroughput(cluster, hello, PAR, LIMIT, base.rawS);
      await scopedThroughput(cluster, hello, PAR, LIMIT, base);
    }
    if (PARTS.has("5")) await warmStart(cluster, hello);
    if (PARTS.has("3")) await ceiling(cluster, hello);
  } finally {
    await cluster.close();
  }
  console.log(`load average at the end: ${load()}`);
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
