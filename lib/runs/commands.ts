import "server-only";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { unavailableIfDown } from "../queue/db-down.ts";
import { cancelQueued, requestCancel } from "../queue/lifecycle/index.ts";
import { RUN_CHANNEL, watch } from "../queue/notify.ts";
import { isTerminal } from "../../runner/src/status.ts";
import type { Viewer } from "../types.ts";
import { loadRun } from "./projection.ts";

/** How long `cancelRun` waits for a worker to report the run's end before it returns with the run still ending. */
export const CANCEL_WAIT_MS = 30_000;

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
 * worker, and this waits (at most CANCEL_WAIT_MS) for its final state. Idempotent. Needs the run
 * right in the run's project.
 */
export async function cancelRun(viewer: Viewer, ref: string): Promise<void> {
  // operators and owners of the run's project (and admins); a viewer is refused, anyone else finds no run
  const { row, asAdmin } = await loadRun(viewer, ref, "run");
  const runId = row.id;
  if (isTerminal(row.status)) return;
  const reason = `cancelled by ${viewer.username}`;
  try {
    // queued: ended at once; claimed meanwhile (not applied), or held: its worker is asked to stop it
    const ended = row.status === "queued" && (await db().$transaction((tx) => cancelQueued(tx, runId, reason)));
    if (!ended) {
      await db().$transaction((tx) => requestCancel(tx, runId, reason));
      await waitForEnd(runId, CANCEL_WAIT_MS);
    }
  } catch (err) {
    throw unavailableIfDown(err, "the run could not be cancelled");
  }
  await audit(viewer.id, "run.cancel", runId, asAdmin ? { asAdmin } : undefined, { projectId: row.projectId });
}
