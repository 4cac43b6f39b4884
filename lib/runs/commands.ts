import "server-only";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { notFound } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { canCancelRun } from "../access/permissions.ts";
import { bossDb, getBoss } from "../queue/boss.ts";
import { unavailableIfDown } from "../queue/db-down.ts";
import { notify, QUEUE_CHANNEL, RUN_CHANNEL, watch } from "../queue/notify.ts";
import type { HubRunError, Viewer } from "../types.ts";
import { HELD_RUN_STATUSES, isTerminal } from "../../runner/src/status.ts";
import { loadRun } from "./projection.ts";

/** How long `cancelRun` waits for a worker to report the run's end before it returns with the run still ending. */
export const CANCEL_WAIT_MS = 30_000;

/**
 * Ends a queued run at once (the Run row and its pg-boss job in one transaction). Returns false
 * when the run is no longer queued (a worker claimed it meanwhile).
 */
export async function cancelQueuedRun(runId: string, error: HubRunError): Promise<boolean> {
  const boss = await getBoss();
  return db().$transaction(async (tx) => {
    const now = new Date();
    const { count } = await tx.run.updateMany({
      where: { id: runId, status: "queued" },
      data: { status: "cancelled", error: error as unknown as Prisma.InputJsonValue, endedAt: now, cancelRequestedAt: now, cancelReason: error.message },
    });
    if (!count) return false;
    const row = await tx.run.findUniqueOrThrow({ where: { id: runId }, select: { jobId: true, queue: true } });
    if (row.jobId && row.queue) await boss.cancel(row.queue, row.jobId, { db: bossDb(tx) });
    await notify(tx, RUN_CHANNEL, runId);
    return true;
  });
}

/**
 * Asks the worker holding a run to stop it: recorded on the row (the worker learns it from its
 * next poll, heartbeat or events answer, each of which a NOTIFY hurries). Idempotent.
 */
export async function requestCancel(runId: string, reason: string): Promise<void> {
  await db().$transaction(async (tx) => {
    const { count } = await tx.run.updateMany({
      where: { id: runId, status: { in: [...HELD_RUN_STATUSES] }, cancelRequestedAt: null },
      data: { cancelRequestedAt: new Date(), cancelReason: reason },
    });
    if (count) {
      await notify(tx, QUEUE_CHANNEL, "cancel");
      await notify(tx, RUN_CHANNEL, runId);
    }
  });
}

/** Resolves once the run is in a final state, or after `ms`. Returns whether it ended. */
export async function waitForEnd(runId: string, ms: number): Promise<boolean> {
  const w = await watch(RUN_CHANNEL, (p) => p === runId);
  const deadline = Date.now() + ms;
  try {
    for (;;) {
      const row = await db().run.findUnique({ where: { id: runId }, select: { status: true } });
      if (!row || isTerminal(row.status)) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      // the NOTIFY wakes it; the interval re-checks in case one was missed
      await w.next(Math.min(left, 1000));
    }
  } finally {
    w.close();
  }
}

/**
 * Cancels a run wherever it is: a queued run ends at once; a run a worker holds is stopped by that
 * worker, and this waits (at most CANCEL_WAIT_MS) for its final state. Idempotent.
 */
export async function cancelRun(viewer: Viewer, runId: string): Promise<void> {
  const row = await loadRun(viewer, runId);
  if (!canCancelRun(viewer, row)) throw notFound("run");
  if (isTerminal(row.status)) return;
  const reason = `cancelled by ${viewer.username}`;
  try {
    const ended = row.status === "queued" && (await cancelQueuedRun(runId, { type: "Cancelled", message: reason }));
    if (!ended) {
      await requestCancel(runId, reason);
      await waitForEnd(runId, CANCEL_WAIT_MS);
    }
  } catch (err) {
    throw unavailableIfDown(err, "the run could not be cancelled");
  }
  await audit(viewer.id, "run.cancel", runId);
}
