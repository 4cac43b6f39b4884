import "server-only";
import { findFunction, type Manifest } from "../../runner/src/index.ts";
import { db } from "../platform/db.ts";
import { HELD_RUN_STATUSES } from "../../runner/src/status.ts";
import { expiredDeviceRuns, janitorDecision } from "./janitor-decision.ts";
import { ENDINGS, endRun, requeue, type Tx } from "./lifecycle/index.ts";
import { outsideWindowMessage } from "../access/project-window.ts";
import { getSettings } from "../platform/settings.ts";
import { heartbeatMs } from "./workers.ts";

/** One janitor at a time in the whole hub (every web process runs the loop). */
const JANITOR_LOCK = 72109;
export const HUB_STOPPED = "the hub stopped while this run was running";

/** The retries a function opted into (`annot.meta(retries=N)` → ManifestFunction.retries); absent = none. */
function retriesOf(manifest: unknown, fn: string): number {
  const f = findFunction(manifest as Manifest, fn) as { retries?: unknown } | undefined;
  return typeof f?.retries === "number" && Number.isInteger(f.retries) && f.retries > 0 ? Math.min(f.retries, 10) : 0;
}

/**
 * One pass: marks instances that missed three heartbeats `lost`, ends the runs held by lost or
 * stopped instances `failed` (WorkerLost) or queues them again where their function opted into
 * retries; ends runs a hub without the queue left behind (no worker) `failed` (HubStopped); ends
 * runs (queued or held) of projects whose authorised window has closed `failed` (OutsideWindow: the
 * worker holding one learns it from its next heartbeat and stops it), and runs their device did not
 * take within the admin's time `failed` (DeviceTimeout).
 * Idempotent and safe to run in every process: it takes an advisory lock or skips.
 */
export async function janitorPass(now = new Date(), listeningSince?: Date): Promise<{ lost: number; failed: number; requeued: number; expired: number }> {
  const { deviceWaitMinutes } = (await getSettings()).queue;
  const expiredForDevices = async (tx: Tx, at: Date, since?: Date) => {
    // only runs old enough to expire are read, with their device's last registration
    const queued = await tx.run.findMany({
      where: { status: "queued", deviceId: { not: null }, queuedAt: { lte: new Date(at.getTime() - deviceWaitMinutes * 60_000) } },
      select: { id: true, queuedAt: true, device: { select: { name: true, credential: { select: { workers: { orderBy: { lastSeenAt: "desc" }, take: 5, select: { state: true, lastSeenAt: true } } } } } } },
    });
    const facts = queued.map((r) => {
      const workers = r.device?.credential.workers ?? [];
      return { id: r.id, queuedAt: r.queuedAt ?? at, device: r.device?.name ?? "?", connected: workers.some((w) => w.state === "online" || w.state === "draining"), lastSeenAt: workers[0]?.lastSeenAt ?? null };
    });
    return expiredDeviceRuns({ now: at, waitMinutes: deviceWaitMinutes, queued: facts, listeningSince: since });
  };
  return db().$transaction(
    async (tx) => {
      const [{ locked }] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${JANITOR_LOCK}) AS locked`;
      if (!locked) return { lost: 0, failed: 0, requeued: 0, expired: 0 };
      const instances = await tx.worker.findMany({ where: { state: { in: ["online", "draining"] } }, select: { instance: true, state: true, lastSeenAt: true, name: true } });
      const held = await tx.run.findMany({
        where: { status: { in: [...HELD_RUN_STATUSES] } },
        select: { id: true, workerInstance: true, attempt: true, function: true, version: { select: { manifest: true } }, worker: { select: { name: true, lastSeenAt: true } } },
      });
      const decision = janitorDecision({
        now,
        heartbeatMs: heartbeatMs(),
        listeningSince,
        instances,
        held: held.map((r) => ({ id: r.id, workerInstance: r.workerInstance, attempt: r.attempt, retries: retriesOf(r.version.manifest, r.function) })),
      });
      if (decision.lose.length) await tx.worker.updateMany({ where: { instance: { in: decision.lose }, state: { in: ["online", "draining"] } }, data: { state: "lost" } });
      const byId = new Map(held.map((r) => [r.id, r]));
      // each change applies only while the run is still as the decision saw it (the same attempt, held by the same instance)
      let failed = 0;
      for (const id of decision.fail) {
        const r = byId.get(id)!;
        const error = r.worker
          ? ({ type: "WorkerLost", message: `worker ${r.worker.name} stopped answering at ${r.worker.lastSeenAt.toISOString()}` } as const)
          : ({ type: "HubStopped", message: HUB_STOPPED } as const);
        if (await endRun(tx, id, error, { heldBy: r.workerInstance, now })) failed++;
      }
      let requeued = 0;
      for (const id of decision.requeue) {
        const r = byId.get(id)!;
        const why = `worker ${r.worker?.name ?? "?"} stopped answering; attempt ${r.attempt + 1} (the function allows retries)`;
        if (await requeue(tx, id, { heldBy: r.workerInstance, attempt: r.attempt, reason: { type: "WorkerLost", message: why }, now })) requeued++;
      }
      // queued runs of a hub from before the queue have no job: nothing will ever take them
      const orphans = await tx.run.findMany({ where: { status: "queued", jobId: null }, select: { id: true } });
      for (const o of orphans) if (await endRun(tx, o.id, { type: "HubStopped", message: HUB_STOPPED }, { now })) failed++;
      const closed = await tx.run.findMany({
        where: { status: { in: [...ENDINGS.OutsideWindow.from] }, project: { windowEnd: { lte: now } } },
        select: { id: true, workerInstance: true, project: { select: { slug: true, windowStart: true, windowEnd: true } } },
      });
      for (const r of closed) {
        const outside = outsideWindowMessage(r.project, now);
        if (outside && (await endRun(tx, r.id, { type: "OutsideWindow", message: `stopped: ${outside}` }, { heldBy: r.workerInstance, now }))) failed++;
      }
      let expired = 0;
      for (const e of await expiredForDevices(tx, now, listeningSince)) if (await endRun(tx, e.id, { type: "DeviceTimeout", message: e.message }, { now })) expired++;
      return { lost: decision.lose.length, failed, requeued, expired };
    },
    { timeout: 30_000, maxWait: 10_000 },
  );
}

const g = globalThis as typeof globalThis & { __levhubJanitor?: NodeJS.Timeout };

/** Runs `janitorPass` every heartbeat interval in this process (once per process, whoever calls). */
export function startJanitor(): void {
  if (g.__levhubJanitor) return;
  // heartbeats could reach the hub only while this process ran and its database answered: a
  // worker is judged on the heartbeats it missed since then, never on the hub's own outage
  let listeningSince: Date | null = new Date();
  const tick = async () => {
    const since = listeningSince ?? new Date();
    try {
      await janitorPass(new Date(), since);
      listeningSince = since;
    } catch (err) {
      listeningSince = null;
      console.error("[levhub] janitor:", err instanceof Error ? err.message : err);
    }
  };
  g.__levhubJanitor = setInterval(() => void tick(), heartbeatMs());
  g.__levhubJanitor.unref();
  void tick();
}

export function stopJanitor(): void {
  if (g.__levhubJanitor) clearInterval(g.__levhubJanitor);
  g.__levhubJanitor = undefined;
}
