import "server-only";
import type { WorkerCaller } from "../access/access.ts";
import { db } from "../platform/db.ts";
import { versionClosure } from "../packages/dependency-load.ts";
import { versionArchive } from "../packages/version-archive.ts";
import { getSettings } from "../platform/settings.ts";
import type { PackageRef, PollRequest, PollResponse, RunAssignment } from "../../runner/worker/protocol.ts";
import { bossDb, getBoss, type RunJobData } from "../queue/boss.ts";
import { mayClaim, queuesForWorker, totalLimitFor } from "../devices/placement.ts";
import { claimPlan } from "../queue/limits.ts";
import { queueKind } from "../metrics/definitions.ts";
import { observe } from "../metrics/registry.ts";
import { notify, QUEUE_CHANNEL, RUN_CHANNEL, watch } from "../queue/notify.ts";
import { cancelOrders, liveInstance, POLL_MS, type WorkerRow } from "../queue/workers.ts";

/** One lock for every claim in the hub: the limits are counted and spent by one claim at a time. */
const CLAIM_LOCK = 72108;
/** A poll re-checks this often when no NOTIFY came (a run's limit freed by a run that ended elsewhere) */
const POLL_RECHECK_MS = 1000;

/**
 * Takes queued runs for a worker instance, within the limits: in one transaction under an
 * advisory lock, it counts the active runs (total, per owner, this instance), leaves owners at
 * their per-user limit to pg-boss `ignoreGroups`, fetches one job at a time from the queues the
 * worker's labels allow (recounting between) and marks each run `starting` for this instance. A
 * run cancelled meanwhile has its job completed and is skipped.
 *
 * A device's instance (`device` set) fetches only its device's queue and takes only its owner's
 * runs sent to it; device runs count toward their owner's limit but not the hub-wide one (they
 * do not run on the hub's engines).
 */
export async function claimRuns(worker: WorkerRow, free: number, device: WorkerCaller["device"] = null): Promise<string[]> {
  if (free <= 0 || worker.state !== "online") return [];
  const [boss, settings] = await Promise.all([getBoss(), getSettings()]);
  const labels = worker.labels as { hostNetwork?: boolean };
  // how long each claimed run waited: recorded once the claim is committed
  const waited: { queue: string; seconds: number }[] = [];
  const taken = await db().$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CLAIM_LOCK})`;
      waited.length = 0;
      const taken: string[] = [];
      for (;;) {
        const active = await tx.$queryRaw<{ ownerId: string; workerInstance: string | null; onDevice: boolean; n: bigint }[]>`
          SELECT "ownerId", "workerInstance", ("deviceId" IS NOT NULL) AS "onDevice", count(*) AS n FROM "Run" WHERE status IN ('starting', 'running') GROUP BY 1, 2, 3`;
        const byOwner = new Map<string, number>();
        let total = 0;
        let held = 0;
        for (const a of active) {
          const n = Number(a.n);
          if (!a.onDevice) total += n;
          byOwner.set(a.ownerId, (byOwner.get(a.ownerId) ?? 0) + n);
          if (a.workerInstance === worker.instance) held += n;
        }
        const plan = claimPlan({
          free: free - taken.length,
          capacity: worker.capacity,
          heldByInstance: held,
          totalRuns: totalLimitFor(device, settings.queue.totalRuns),
          perUserRuns: settings.queue.perUserRuns,
          activeTotal: total,
          activeByOwner: byOwner,
        });
        if (plan.slots <= 0) break;
        let found: { queue: string; id: string; runId: string } | null = null;
        for (const queue of queuesForWorker(device, labels)) {
          const [job] = await boss.fetch<RunJobData>(queue, { db: bossDb(tx), batchSize: 1, ignoreGroups: plan.ignoreGroups.length ? plan.ignoreGroups : null });
          if (job) {
            found = { queue, id: job.id, runId: job.data.runId };
            break;
          }
        }
        if (!found) break;
        // the Run row itself decides who may take it (the queues only keep runs apart)
        const target = await tx.run.findUnique({ where: { id: found.runId }, select: { ownerId: true, deviceId: true, queuedAt: true } });
        const claimedAt = new Date();
        const { count } =
          target && mayClaim(device, target)
            ? await tx.run.updateMany({
                where: { id: found.runId, status: "queued", jobId: found.id },
                data: { status: "starting", workerId: worker.id, workerInstance: worker.instance, claimedAt },
              })
            : { count: 0 };
        if (!count) {
          // cancelled (or otherwise ended) after it was queued, or not this worker's to take: its job has nothing left to do
          await boss.complete(found.queue, found.id, null, { db: bossDb(tx) });
          continue;
        }
        taken.push(found.runId);
        if (target?.queuedAt) waited.push({ queue: found.queue, seconds: (claimedAt.getTime() - target.queuedAt.getTime()) / 1000 });
        await notify(tx, RUN_CHANNEL, found.runId);
      }
      return taken;
    },
    { timeout: 15_000, maxWait: 10_000 },
  );
  for (const w of waited) observe("claimLatency", { queue: queueKind(w.queue) }, w.seconds);
  return taken;
}

async function packageRef(v: { namespace: string; name: string; version: string; dir: string }): Promise<PackageRef> {
  return { namespace: v.namespace, name: v.name, version: v.version, sha256: (await versionArchive(v.dir)).sha256 };
}

/** What the worker needs to run a claimed run (files and images it fetches by the hashes and ids named here). */
export async function assignment(runId: string): Promise<RunAssignment> {
  const run = await db().run.findUniqueOrThrow({
    where: { id: runId },
    include: { owner: { select: { username: true } }, version: { include: { package: { include: { namespace: true } } } } },
  });
  const closure = await versionClosure(run.versionId);
  return {
    runId: run.id,
    job: run.number,
    owner: run.owner.username,
    function: run.function,
    args: run.args as Record<string, unknown>,
    policy: run.policy as unknown as RunAssignment["policy"],
    package: await packageRef({ namespace: run.version.package.namespace.name, name: run.version.package.name, version: run.version.version, dir: run.version.dir }),
    dependencies: await Promise.all(closure.map((m) => packageRef(m))),
    attempt: run.attempt,
  };
}

/**
 * `POST /api/worker/poll`: runs for the worker's free slots and cancels of runs it holds; waits
 * (at most the request's waitMs, and POLL_MS) until there is either, woken by NOTIFY.
 */
export async function poll(caller: WorkerCaller, req: PollRequest, signal?: AbortSignal): Promise<PollResponse> {
  const w = await watch(QUEUE_CHANNEL);
  try {
    const deadline = Date.now() + Math.min(req.waitMs, POLL_MS);
    for (;;) {
      const worker = await liveInstance(caller, req.instance);
      const cancel = await cancelOrders(worker.instance);
      // a worker that gave up its poll (stopping, restarting) must not be handed runs it will never hear of
      if (signal?.aborted) return { assign: [], cancel: [] };
      const runIds = await claimRuns(worker, req.free, caller.device);
      const left = deadline - Date.now();
      if (runIds.length || cancel.length || left <= 0) {
        return { assign: await Promise.all(runIds.map(assignment)), cancel };
      }
      await w.next(Math.min(left, POLL_RECHECK_MS), signal);
    }
  } finally {
    w.close();
  }
}
