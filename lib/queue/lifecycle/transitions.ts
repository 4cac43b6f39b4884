/**
 * A run's life, pure: which operation may change a run in which status, into what, what becomes of
 * its pg-boss job and of its unfinished tasks. `lifecycle.ts` does each operation as one UPDATE
 * whose WHERE holds these from-states; a run in any other status is left alone and the operation
 * reports "not applied" (the caller decides what that means: a claim skips the run, a cancel
 * waits for the worker, a janitor pass moves on).
 *
 *   (new) ──enqueue──▶ queued ──claim──▶ starting ──markRunning──▶ running
 *   starting | running ──finish (the worker's report) | end (the hub)──▶ succeeded | failed | cancelled | timed_out
 *   starting | running ──requeue──▶ queued            starting | running ──requestCancel──▶ (unchanged)
 *   queued ──end (Cancelled, DeviceRevoked, DeviceTimeout, HubStopped, OutsideWindow)──▶ cancelled | failed
 *   starting | running ──end (WorkerLost, QuotaExceeded, DeviceRevoked, HubStopped, OutsideWindow)──▶ failed
 */
import { HELD_RUN_STATUSES, type HubErrorType, type RunStatus, type TaskStatus, type TerminalRunStatus } from "../../../runner/src/status.ts";

/**
 * Why the hub ends a run itself (rather than the worker reporting its end): the run's error type,
 * the statuses it may end a run from, and the status the run ends in. A new reason — a scope
 * rule — is one more entry here and its
 * type in HUB_ERROR_TYPES (runner/src/status.ts), ended through `endRun`: never a new writer.
 */
export const ENDINGS = {
  /** the owner (or an admin) cancelled a run no worker holds yet; a held run is asked to stop instead (requestCancel) */
  Cancelled: { from: ["queued"], status: "cancelled" },
  /** the worker holding it stopped answering (its instance is lost) */
  WorkerLost: { from: HELD_RUN_STATUSES, status: "failed" },
  /** its owner revoked the device it was sent to: queued for it or running on it */
  DeviceRevoked: { from: ["queued", ...HELD_RUN_STATUSES], status: "failed" },
  /** the device it was sent to did not take it within the admin's time (HubSettings.queue.deviceWaitMinutes): it is offline, never connected or busy */
  DeviceTimeout: { from: ["queued"], status: "failed" },
  /** left behind by a hub from before the queue (no job, or no worker that could report) */
  HubStopped: { from: ["queued", ...HELD_RUN_STATUSES], status: "failed" },
  /**
   * its worker reported more than a run may hold (lib/runs/report-limits.ts: collections, tasks):
   * the runner's own error type, decided here by the hub, which does not take a worker's word for it
   */
  QuotaExceeded: { from: HELD_RUN_STATUSES, status: "failed" },
  /** its project's authorised window closed (queued: at claim; held: the janitor), or is not open yet at claim */
  OutsideWindow: { from: ["queued", ...HELD_RUN_STATUSES], status: "failed" },
} as const satisfies Record<HubErrorType | "Cancelled" | "QuotaExceeded", { from: readonly RunStatus[]; status: TerminalRunStatus }>;
export type EndingType = keyof typeof ENDINGS;

/** Every way a run's state changes. */
export type Transition =
  /** a new run waits in its queue (the row is created: there is no from-state) */
  | { op: "enqueue" }
  /** a worker takes it */
  | { op: "claim" }
  /** its worker reports that it started */
  | { op: "markRunning" }
  /** its worker reports its end */
  | { op: "finish"; status: TerminalRunStatus }
  /** its worker was lost and its function opts into retries: it waits again for another attempt */
  | { op: "requeue" }
  /** its owner asks the worker holding it to stop (the status stays; the worker reports the end) */
  | { op: "requestCancel" }
  /** the hub ends it for a reason of ENDINGS */
  | { op: "end"; ending: EndingType };
export type RunOperation = Transition["op"];
export const RUN_OPERATIONS = ["enqueue", "claim", "markRunning", "finish", "requeue", "requestCancel", "end"] as const satisfies readonly RunOperation[];

/** The statuses a run must be in for the transition to apply (checked in the UPDATE's WHERE). */
export function fromStates(t: Transition): readonly RunStatus[] {
  switch (t.op) {
    case "enqueue":
      return [];
    case "claim":
      return ["queued"];
    case "markRunning":
      return ["starting"];
    case "finish":
    case "requeue":
    case "requestCancel":
      return HELD_RUN_STATUSES;
    case "end":
      return ENDINGS[t.ending].from;
  }
}

/** Where a transition leads, for those whose target does not depend on where they start (all but requestCancel, which changes no status). */
export function targetStatus(t: Exclude<Transition, { op: "requestCancel" }>): RunStatus {
  switch (t.op) {
    case "enqueue":
    case "requeue":
      return "queued";
    case "claim":
      return "starting";
    case "markRunning":
      return "running";
    case "finish":
      return t.status;
    case "end":
      return ENDINGS[t.ending].status;
  }
}

/**
 * The status after the transition from `from` (null: the run does not exist yet), or null when the
 * transition does not apply from there.
 */
export function nextStatus(t: Transition, from: RunStatus | null): RunStatus | null {
  if (t.op === "enqueue") return from === null ? targetStatus(t) : null;
  if (from === null || !fromStates(t).includes(from)) return null;
  return t.op === "requestCancel" ? from : targetStatus(t);
}

/**
 * What becomes of a task still open (no end recorded) when its run ends, whoever ends it: it was
 * stopped because its run ended, which the runner itself calls `cancelled` (TaskCancelled). Not
 * `failed`: the task's own tool did not fail, and the run's error says why it ended.
 */
export const UNFINISHED_TASK_STATUS: TaskStatus = "cancelled";

/**
 * What a transition does to the run's pg-boss job: `send` a new one, leave it `active` (a claim:
 * the fetch made it active), `complete` it with the run's end, `cancel` or `fail` it, or nothing.
 * A requeue fails the old job and sends a new one.
 */
export type JobAction = "send" | "complete" | "cancel" | "fail" | "fail-and-send" | "none";

export function jobAction(t: Transition): JobAction {
  switch (t.op) {
    case "enqueue":
      return "send";
    case "claim":
    case "markRunning":
    case "requestCancel":
      return "none";
    case "finish":
      return "complete";
    case "requeue":
      return "fail-and-send";
    case "end":
      return ENDINGS[t.ending].status === "cancelled" ? "cancel" : "fail";
  }
}

/**
 * A claim that does not apply (the run was cancelled, or ended, after its job was queued; or it is
 * not this worker's to take) completes the job it fetched: the job has nothing left to do.
 */
export const SKIPPED_CLAIM_JOB_ACTION = "complete" satisfies JobAction;
