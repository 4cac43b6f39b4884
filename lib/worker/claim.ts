import "server-only";
import type { WorkerCaller } from "../access/access.ts";
import { db } from "../platform/db.ts";
import { versionClosure } from "../packages/dependency-load.ts";
import { versionArchive } from "../packages/version-archive.ts";
import { getSettings } from "../platform/settings.ts";
import type { PackageRef, PollRequest, PollResponse, RunAssignment } from "../../runner/worker/protocol.ts";
import { mayClaim, queuesForWorker, totalLimitFor } from "../devices/placement.ts";
import { anyJobWaiting, claim, endRun, nextJob, QUEUE_FREED, type Tx } from "../queue/lifecycle/index.ts";
import { outsideWindowMessage } from "../access/project-window.ts";
import { claimPlan, type WorkerQueueLabels } from "../queue/limits.ts";
import { queueKind } from "../metrics/definitions.ts";
import { observe } from "../metrics/registry.ts";
import { QUEUE_CHANNEL, watch } from "../queue/notify.ts";
import { cancelOrders, checkBodyInstance, POLL_MS, stillLive, type WorkerRow } from "../queue/workers.ts";
import { HELD_RUN_STATUSES } from "../../runner/src/status.ts";
import { debugOrders } from "../queue/debug-orders.ts";

/** One lock for every claim in the hub: the limits are counted and spent by one claim at a time. */
export const CLAIM_LOCK = 72108;
/**
 * A poll re-checks this often when no NOTIFY came. Every change that may let it claim notifies
 * (a run queued in its queues, a held run ended anywhere); this covers a lost notification and
 * limits an admin raised.
 */
const POLL_RECHECK_MS = 5000;
/** How long a poll waits before trying again when another claim held the lock (a little random, so pollers do not retry in step). */
const LOCK_RETRY_MS = [20, 120] as const;

/** Another claim holds the claim lock: nothing was taken, try again shortly. */
export const CLAIM_BUSY = "busy";

/**
 * A queued run about to be taken whose project's authorised window is not open now (it closed
 * while the run waited, or an owner moved it) is ended `OutsideWindow` through the lifecycle
 * instead: it never starts. Returns whether it was ended.
 */
async function endedOutsideWindow(tx: Tx, runId: string, now: Date): Promise<boolean> {
  const run = await tx.run.findUnique({ where: { id: runId }, select: { project: { select: { slug: true, windowStart: true, windowEnd: true } } } });
  const outside = run ? outsideWindowMessage(run.project, now) : null;
  if (!outside) return false;
  await endRun(tx, runId, { type: "OutsideWindow", message: `not started: ${outside}` }, { now });
  return true;
}

/**
 * Takes queued runs for a worker instance, within the limits: in one transaction under an
 * advisory lock, it counts the active runs (total, per owner, this instance), leaves owners at
 * their per-user limit to pg-boss `ignoreGroups`, fetches one job at a time from the queues the
 * worker's labels allow (recounting between) and claims each run for this instance through the
 * lifecycle (queued → starting). A run cancelled meanwhile has its job completed and is skipped; a
 * run whose project's authorised window is not open is ended `OutsideWindow`.
 *
 * Nobody waits on the lock with a connection held: when no job waits in the worker's queues the
 * claim takes no transaction at all, and when another claim holds the lock it gives its
 * transaction (and connection) back at once and answers CLAIM_BUSY. The lock is held only for the
 * claim itself, so the limits stay exact.
 *
 * A device's instance (`device` set) fetches only its device's queue and takes only its owner's
 * runs sent to it; device runs count toward their owner's limit but not the hub-wide one (they
 * do not run on the hub's engines).
 */
export async function claimRuns(worker: WorkerRow, free: number, device: WorkerCaller["device"] = null): Promise<string[] | typeof CLAIM_BUSY> {
  if (free <= 0 || worker.state !== "online") return [];
  const labels = worker.labels as WorkerQueueLabels;
  const queues = queuesForWorker(device, labels);
  if (!(await anyJobWaiting(db(), queues))) return [];
  const settings = await getSettings();
  // how long each claimed run waited: recorded once the claim is committed
  const waited: { queue: string; seconds: number }[] = [];
  const taken = await db().$transaction(
    async (tx): Promise<string[] | typeof CLAIM_BUSY> => {
      const [{ locked }] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${CLAIM_LOCK}) AS locked`;
      if (!locked) return CLAIM_BUSY;
      waited.length = 0;
      const taken: string[] = [];
      for (;;) {
        const active = await tx.$queryRaw<{ ownerId: string; workerInstance: string | null; onDevice: boolean; n: bigint }[]>`
          SELECT "ownerId", "workerInstance", ("deviceId" IS NOT NULL) AS "onDevice", count(*) AS n FROM "Run"
           WHERE status = ANY(${[...HELD_RUN_STATUSES]}::"RunStatus"[]) GROUP BY 1, 2, 3`;
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
        const job = await nextJob(tx, queues, plan.ignoreGroups);
        if (!job) break;
        if (await endedOutsideWindow(tx, job.runId, new Date())) continue;
        // the Run row itself decides who may take it (the queues only keep runs apart)
        // the claim reads the Run row once: its queue time, for the claim latency, comes from that read
        const seen: { queuedAt: Date | null } = { queuedAt: null };
        const holder = { workerId: worker.id, instance: worker.instance };
        const mayTake = (run: { ownerId: string; deviceId: string | null; queuedAt: Date | null }) => {
          seen.queuedAt = run.queuedAt;
          return mayClaim(device, run);
        };
        if (await claim(tx, job, holder, mayTake)) {
          taken.push(job.runId);
          if (seen.queuedAt) waited.push({ queue: job.queue, seconds: (Date.now() - seen.queuedAt.getTime()) / 1000 });
        }
      }
      return taken;
    },
    { timeout: 15_000, maxWait: 10_000 },
  );
  if (taken !== CLAIM_BUSY) for (const w of waited) observe("claimLatency", { queue: queueKind(w.queue) }, w.seconds);
  return taken;
}

async function packageRef(v: { namespace: string; name: string; version: string; dir: string }): Promise<PackageRef> {
  return { namespace: v.namespace, name: v.name, version: v.version, sha256: (await versionArchive(v.dir)).sha256 };
}

/** What the worker needs to run a claimed run (files and images it fetches by the hashes and ids named here). */
export async function assignment(runId: string): Promise<RunAssignment> {
  const run = await db().run.findUniqueOrThrow({
    where: { id: runId },
    include: {
      owner: { select: { username: true } },
      version: { include: { package: { include: { namespace: true } } } },
      files: { select: { file: { select: { id: true, name: true, size: true, sha256: true } } } },
    },
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
    // the files it was given, by what they are: the worker fetches each by its sha256, never a hub path
    refs: Object.fromEntries(run.files.map(({ file }) => [file.id, { kind: "file" as const, sha256: file.sha256, size: file.size, name: file.name }])),
    attempt: run.attempt,
    ...(run.debugPause ? { debugPause: true } : {}),
  };
}

/**
 * `POST /api/worker/poll` of an admitted instance (lib/worker/admission.ts: one poll per instance
 * at once): runs for the worker's free slots and cancels of runs it holds; waits (at most the
 * request's waitMs, and POLL_MS) until there is either. It waits holding no connection and no lock,
 * woken by a NOTIFY that concerns it: a run queued where it takes from, a held run ended (limits
 * freed), a cancel.
 */
export async function poll(caller: WorkerCaller, admitted: WorkerRow, req: PollRequest, signal?: AbortSignal): Promise<PollResponse> {
  checkBodyInstance(admitted, req.instance);
  const mine = new Set<string>([...queuesForWorker(caller.device, admitted.labels as WorkerQueueLabels), QUEUE_FREED, "cancel"]);
  const w = await watch(QUEUE_CHANNEL, (payload) => mine.has(payload));
  try {
    const deadline = Date.now() + Math.min(req.waitMs, POLL_MS);
    // the request was admitted once; each later pass only checks that its instance is still live
    for (let pass = 0; ; pass++) {
      const worker = pass === 0 ? admitted : await stillLive(caller, req.instance);
      const cancel = await cancelOrders(worker.instance);
      // a worker that gave up its poll (stopping, restarting) must not be handed runs it will never hear of
      if (signal?.aborted) return { assign: [], cancel: [] };
      const claimed = await claimRuns(worker, req.free, caller.device);
      const runIds = claimed === CLAIM_BUSY ? [] : claimed;
      // debug sessions opened since: a poll wakes for each once (heartbeats repeat them until opened)
      const debug = await debugOrders(worker.instance, { fresh: true });
      const left = deadline - Date.now();
      if (runIds.length || cancel.length || debug.length || left <= 0) {
        return { assign: await Promise.all(runIds.map(assignment)), cancel, ...(debug.length ? { debug } : {}) };
      }
      const [lo, hi] = LOCK_RETRY_MS;
      const wait = claimed === CLAIM_BUSY ? lo + Math.random() * (hi - lo) : POLL_RECHECK_MS;
      await w.next(Math.min(left, wait), signal);
    }
  } finally {
    w.close();
  }
}
