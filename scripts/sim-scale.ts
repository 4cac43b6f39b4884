/**
 * `npm run sim:scale`: one hub against many workers whose engines cost nothing (a played run over
 * the real channels, runner/test/playing-engine.ts), to see where the hub binds first. A throwaway
 * hub (PostgreSQL, results database, a hub web process) as bench:queue's; SIM_WORKERS workers
 * (default 50), each with its own credential and instance, in SIM_PROCS processes. Prints:
 *   1. idle: the hub's, PostgreSQL's and the results store's CPU while the workers only heartbeat
 *      and long-poll (nothing queued), and the database connections open
 *   2. load: SIM_RUNS runs of SIM_TASKS tools each, all submitted at once: runs/s and task
 *      lifecycles/s, the CPU of each process, the database connections at their peak
 * Asserts nothing; a simulation for docs/design/scale.md.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { isTerminal } from "../runner/src/status.ts";
import { HELLO } from "../lib/testing/queue-faults.ts";
import { startQueueCluster } from "../lib/testing/queue-cluster.ts";
import { cpuTicks, ferretdbPid, postgresPids } from "./bench-queue/procs.ts";

const WORKERS = Number(process.env.SIM_WORKERS ?? 50);
const PROCS = Number(process.env.SIM_PROCS ?? 5);
const CAPACITY = Number(process.env.SIM_CAPACITY ?? 2);
const RUNS = Number(process.env.SIM_RUNS ?? 200);
const TASKS = Number(process.env.SIM_TASKS ?? 10);
const IDLE_S = Number(process.env.SIM_IDLE_S ?? 20);
const HEARTBEAT_MS = 5000;
const TICKS = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () => loadavg().map((l) => l.toFixed(1)).join(" ");

/** CPU (% of one core) of some groups of processes between `start` and `stop`; groups re-read their members at each end. */
function cpuMeter(groups: Record<string, () => number[]>) {
  const t0 = performance.now();
  const at0 = new Map<number, number>();
  for (const pids of Object.values(groups)) for (const p of pids()) at0.set(p, cpuTicks(p));
  return () => {
    const secs = (performance.now() - t0) / 1000;
    const out: Record<string, number> = {};
    for (const [name, pids] of Object.entries(groups)) {
      let used = 0;
      for (const p of pids()) used += cpuTicks(p) - (at0.get(p) ?? 0);
      out[name] = (used / TICKS / secs) * 100;
    }
    return out;
  };
}

const fmt = (cpu: Record<string, number>) =>
  Object.entries(cpu)
    .map(([k, v]) => `${k} ${v.toFixed(0)} %`)
    .join(", ");

async function main() {
  console.log(`sim:scale — ${WORKERS} workers (capacity ${CAPACITY}) in ${PROCS} processes against one hub; load average at start: ${load()} (2 cores)`);
  const cluster = await startQueueCluster({ heartbeatMs: HEARTBEAT_MS, queue: { totalRuns: WORKERS * CAPACITY, perUserRuns: WORKERS * CAPACITY } });
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  let sampler: NodeJS.Timeout | undefined;
  try {
    const hello = await cluster.publishDirectory(HELLO);
    const { getSettings, updateSettings } = await import("../lib/platform/settings.ts");
    const s = await getSettings();
    await updateSettings({ run: { ...s.run, maxConcurrentTasks: Math.max(s.run.maxConcurrentTasks, 8), maxTasks: Math.max(s.run.maxTasks, TASKS) } });
    const { db } = await import("../lib/platform/db.ts");
    const connections = async () => Number((await db().$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()`)[0].n);

    const specs = [];
    for (let i = 0; i < WORKERS; i++) {
      const dataDir = mkdtempSync(path.join(tmpdir(), `levhub-sim-${i}-`));
      dirs.push(dataDir);
      specs.push({ name: `sim-${i}`, token: await cluster.workerToken(`sim-${i}`), dataDir });
    }
    const per = Math.ceil(WORKERS / PROCS);
    const ready: Promise<void>[] = [];
    for (let p = 0; p < PROCS; p++) {
      const mine = specs.slice(p * per, (p + 1) * per);
      if (!mine.length) break;
      const child = spawn(process.execPath, ["--import", "tsx", "scripts/sim-scale-workers.ts"], {
        env: { ...process.env, LEVHUB_HUB_URL: cluster.socketUrl, SIM_WORKERS_JSON: JSON.stringify(mine), SIM_CAPACITY: String(CAPACITY), SIM_TASKS: String(TASKS), SIM_PARALLEL: "8", SIM_SCHEMA: "levhub/hello.bench" },
        stdio: ["ignore", "pipe", "inherit"],
      });
      children.push(child);
      ready.push(
        new Promise((resolve, reject) => {
          child.stdout!.on("data", (d: Buffer) => d.toString().includes('"ready"') && resolve());
          child.once("exit", (code) => reject(new Error(`a workers process exited (${code})`)));
        }),
      );
    }
    await Promise.all(ready);
    for (let i = 0; i < 300 && (await db().worker.count({ where: { name: { startsWith: "sim-" }, state: "online" } })) < WORKERS; i++) await sleep(100);

    const groups = {
      hub: () => [cluster.web.pid],
      PostgreSQL: () => postgresPids(cluster.hub.dataDir),
      FerretDB: () => {
        const f = ferretdbPid();
        return f ? [f] : [];
      },
      workers: () => children.map((c) => c.pid!),
    };
    let stop = cpuMeter(groups);
    await sleep(IDLE_S * 1000);
    console.log(`1. idle, ${IDLE_S} s: ${WORKERS} workers heartbeating every ${HEARTBEAT_MS / 1000} s and long-polling: CPU ${fmt(stop())}; database connections ${await connections()}`);

    const { startRun } = await import("../lib/runs/index.ts");
    let peakConnections = 0;
    sampler = setInterval(
      () =>
        void connections().then(
          (n) => (peakConnections = Math.max(peakConnections, n)),
          () => undefined,
        ),
      500,
    );
    stop = cpuMeter(groups);
    const t0 = Date.now();
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      try {
        runs.push(await startRun(cluster.alice, { versionId: hello.versionId, function: "greet.hello", args: { name: `s${i}` } }));
      } catch (err) {
        throw new Error(`submitting run ${i + 1} of ${RUNS} failed`, { cause: err });
      }
    }
    const submitS = (Date.now() - t0) / 1000;
    const ids = runs.map((r) => r.id);
    for (;;) {
      const rows = await db().run.findMany({ where: { id: { in: ids } }, select: { status: true, endedAt: true } });
      if (rows.every((r) => isTerminal(r.status))) {
        const secs = (Math.max(...rows.map((r) => r.endedAt?.getTime() ?? 0)) - t0) / 1000;
        const counts = new Map<string, number>();
        for (const r of rows) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
        console.log(
          `2. load: ${RUNS} runs × ${TASKS} tools, submitted in ${submitS.toFixed(1)} s, all ended in ${secs.toFixed(1)} s (${[...counts].map(([k, v]) => `${v} ${k}`).join(", ")}): ${(RUNS / secs).toFixed(1)} runs/s, ${((RUNS * TASKS) / secs).toFixed(0)} task lifecycles/s`,
        );
        console.log(`   CPU ${fmt(stop())}; database connections at most ${peakConnections}`);
        break;
      }
      if (Date.now() - t0 > 15 * 60_000) throw new Error("runs not finished after 15 min");
      await sleep(250);
    }
  } catch (err) {
    console.error("sim:scale failed:", err);
    process.exitCode = 1;
  } finally {
    clearInterval(sampler);
    for (const c of children) c.kill("SIGTERM");
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r)))));
    await cluster.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  console.log(`load average at the end: ${load()}`);
  process.exit(process.exitCode ?? 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
