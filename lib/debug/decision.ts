/**
 * Who may open a debug terminal into a task, and why not: the hub's decision, from what it stores
 * (the run, its task, the admin's setting). Pure; the worker holding the run checks the task again
 * from the runner's own facts (runner/src/debug/task-debug.ts) before any shell starts.
 *
 * Only the run's owner (the user who started it): someone who may not read the run's project gets
 * `not_found` (as for every run there), its owner too once they left the project; anyone else who
 * may see it (a project member, an admin) gets `not_owner`, because a shell in the task's container
 * would give them the owner's arguments, files and results in the clear, beyond what the hub's
 * pages show, and would act as the owner's run. An owner who may no longer run in the project
 * (now a viewer there) gets `may_not_run`: a shell acts as much as a run does.
 */
import type { DebugRefusal } from "../../runner/src/debug/vocabulary.ts";
import { policyGrantsAnything } from "../../runner/src/debug/task-debug.ts";
import type { RunPolicy } from "../../runner/src/policy/policy.ts";
import { holdsSecret } from "../../runner/src/refs.ts";
import { isHeld, type RunStatus, type TaskStatus } from "../../runner/src/status.ts";

/** Open sessions one task may have at once (a second tab, the CLI beside the browser). */
export const MAX_SESSIONS_PER_TASK = 2;

export interface DebugDecisionInput {
  /** the viewer's rights in the run's project (lib/projects/access.ts rightsIn): `read` sees the run, `run` acts in it */
  viewer: { id: string; seesRun: boolean; mayRun: boolean };
  run: { ownerId: string; status: RunStatus; policy: Pick<RunPolicy, "network" | "caps" | "packages"> | null; args: unknown };
  /** the task as stored, null when the run has no such task (yet); omitted: decide for the run alone */
  task?: { status: TaskStatus } | null;
  enabled: boolean;
  /** sessions of this task not ended */
  openSessions?: number;
}

export type DebugDecision = { ok: true } | { ok: false; refusal: DebugRefusal | "not_found" | HubDebugRefusal; message: string };

/** Refusals only the hub decides (who the viewer is in the run's project); the worker never sees them. */
export type HubDebugRefusal = "not_owner" | "may_not_run";

const no = (refusal: DebugRefusal | "not_found" | HubDebugRefusal, message: string): DebugDecision => ({ ok: false, refusal, message });

export function debugDecision(i: DebugDecisionInput): DebugDecision {
  if (!i.viewer.seesRun) return no("not_found", "run not found");
  if (i.run.ownerId !== i.viewer.id) {
    return no("not_owner", "only the run's owner may open a terminal into its tasks: a shell there holds the owner's arguments, files and results");
  }
  if (!i.viewer.mayRun) return no("may_not_run", "you may no longer run in this run's project, so you may not open a terminal into its tasks");
  if (!i.enabled) return no("disabled", "an admin turned debug terminals off (Admin → Policy)");
  // a grant or a secret is the run's for its whole life: said first, even of a run that ended
  if (!i.run.policy || policyGrantsAnything(i.run.policy)) {
    return no("granted", "this run has a grant (host network, capabilities or a dependency's grant): a shell in its containers would hand that over, so its tasks cannot be debugged");
  }
  if (holdsSecret(i.run.args)) return no("secret", "this run holds a secret: a shell in its containers would hand it over, so its tasks cannot be debugged");
  if (!isHeld(i.run.status)) return no("run_not_running", `the run is ${i.run.status.replace("_", " ")}: only a running run's tasks can be debugged`);
  if (i.task === undefined) return { ok: true };
  if (!i.task || i.task.status !== "running") return no("task_not_running", i.task ? `the task is ${i.task.status.replace("_", " ")}, not running` : "the run has no such task");
  if ((i.openSessions ?? 0) >= MAX_SESSIONS_PER_TASK) return no("too_many", `the task already has ${MAX_SESSIONS_PER_TASK} open debug sessions; close one first`);
  return { ok: true };
}

/** How long a session may wait for the worker to open it. */
export const PENDING_MS = 30_000;

export interface SessionFacts {
  state: "pending" | "open" | "ended";
  workerInstance: string;
  createdAt: Date;
  lastActivityAt: Date;
  run: { status: RunStatus; workerInstance: string | null };
  task: { status: TaskStatus } | null;
}

/**
 * Why a live session must end now, from what is stored, or null: its task (or run) ended or moved
 * to another worker, the worker never opened it, or nothing was typed or printed for `idleMs`.
 */
export function sessionEnd(s: SessionFacts, now: Date, idleMs: number): "task_ended" | "worker_gone" | "idle" | null {
  if (s.state === "ended") return null;
  if (!isHeld(s.run.status) || s.run.workerInstance !== s.workerInstance || s.task?.status !== "running") return "task_ended";
  if (s.state === "pending" && now.getTime() - s.createdAt.getTime() > PENDING_MS) return "worker_gone";
  if (now.getTime() - s.lastActivityAt.getTime() > idleMs) return "idle";
  return null;
}

/**
 * The output rate cap over one-second windows, kept in the session's row (so every hub process
 * counts the same bytes): the window after adding `bytes`, or how long to wait.
 */
export function outputWindow(w: { at: Date; bytes: number }, now: Date, bytes: number, perSecond: number): { ok: true; at: Date; bytes: number } | { ok: false; retryMs: number } {
  const fresh = now.getTime() - w.at.getTime() >= 1000;
  const used = fresh ? 0 : w.bytes;
  if (used > 0 && used + bytes > perSecond) return { ok: false, retryMs: Math.max(1, 1000 - (now.getTime() - w.at.getTime())) };
  return { ok: true, at: fresh ? now : w.at, bytes: used + bytes };
}
