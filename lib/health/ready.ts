import "server-only";
import { db } from "../platform/db.ts";
import { getBoss, RUN_QUEUE } from "../queue/boss.ts";
import { heartbeatMs } from "../queue/workers.ts";
import { pingResultStore } from "../results/results-store.ts";
import { readinessOf, withTimeout, type CheckResult, type Readiness, type ReadyComponent } from "./readiness.ts";

/** How long each dependency may take to answer a readiness check: LEVHUB_READY_TIMEOUT_MS (100–30 000, default 2 000). */
export function readyTimeoutMs(): number {
  const n = Number(process.env.LEVHUB_READY_TIMEOUT_MS);
  return Number.isFinite(n) && n >= 100 ? Math.min(Math.floor(n), 30_000) : 2_000;
}

/** A hub worker (not a user's device) heard from within three heartbeats: it would take a queued run. */
async function liveWorkers(): Promise<number> {
  return db().worker.count({
    where: { state: "online", lastSeenAt: { gt: new Date(Date.now() - 3 * heartbeatMs()) }, credential: { ownerId: null } },
  });
}

async function check(component: ReadyComponent, probe: () => Promise<string | null>, ms: number): Promise<CheckResult> {
  const t0 = performance.now();
  try {
    const problem = await withTimeout(probe(), ms);
    const elapsed = Math.round(performance.now() - t0);
    return problem ? { status: "down", ms: elapsed, detail: problem } : { status: "up", ms: elapsed };
  } catch (err) {
    const elapsed = Math.round(performance.now() - t0);
    const timedOut = err instanceof Error && err.name === "TimeoutError";
    // the cause stays in the log: an answer open to anyone carries no connection details
    if (!timedOut) console.error(`[levhub] ready: ${component}:`, err instanceof Error ? err.message : err);
    return { status: "down", ms: elapsed, detail: timedOut ? `no answer within ${ms} ms` : "does not answer" };
  }
}

/**
 * `GET /api/ready`: every dependency checked at once, each with a short timeout — the database
 * (`SELECT 1`), the results store (a ping), the queue (pg-boss answers for the run queue) and at
 * least one live hub worker. A worker pool that is down reads "no live worker".
 */
export async function readiness(): Promise<Readiness> {
  const ms = readyTimeoutMs();
  const [database, results, queue, workers] = await Promise.all([
    check("database", async () => (await db().$queryRaw`SELECT 1`, null), ms),
    check("results", async () => (await pingResultStore(), null), ms),
    check("queue", async () => ((await (await getBoss()).getQueue(RUN_QUEUE)) ? null : "the run queue does not exist"), ms),
    check("workers", async () => ((await liveWorkers()) > 0 ? null : "no live worker"), ms),
  ]);
  return readinessOf({ database, results, queue, workers });
}
