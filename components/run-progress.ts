/**
 * What a run's progress bar says, pure: how many of its tasks finished, how many were cancelled
 * (stopped because the run ended first) and the bar's tone for the run's status, so a cancelled run
 * never reads as a green "2 of 2 tasks finished".
 */
import type { RunStatus, TaskStatus } from "../runner/src/status.ts";
import { isTerminal } from "../runner/src/status.ts";
import { plural } from "../runner/src/plural.ts";

export interface TaskTally {
  started: number;
  /** ended on their own (succeeded, failed, timed out, a service stopped) */
  finished: number;
  /** stopped because the run ended first, or cancelled by the workflow */
  cancelled: number;
}

export type ProgressTone = "running" | "succeeded" | "failed" | "cancelled";

/** The tasks as the page knows them; `reported` (the run's own counts) when it knows no task yet. */
export function tallyTasks(tasks: readonly { status: TaskStatus; endedAt: string | null }[], reported: { started: number; finished: number }): TaskTally {
  if (tasks.length === 0) return { started: reported.started, finished: reported.finished, cancelled: 0 };
  const cancelled = tasks.filter((t) => t.status === "cancelled").length;
  const finished = tasks.filter((t) => t.endedAt !== null && t.status !== "cancelled").length;
  return { started: Math.max(tasks.length, reported.started), finished, cancelled };
}

/** "1 of 2 tasks finished, 1 cancelled"; "no task started" for a run that ended before any. */
export function progressText(t: TaskTally, status: RunStatus): string {
  if (t.started === 0) return isTerminal(status) ? "no task started" : "no task started yet";
  return `${t.finished} of ${plural(t.started, "task")} finished${t.cancelled ? `, ${t.cancelled} cancelled` : ""}`;
}

export function progressTone(status: RunStatus): ProgressTone {
  if (status === "succeeded") return "succeeded";
  if (status === "failed" || status === "timed_out") return "failed";
  if (status === "cancelled") return "cancelled";
  return "running";
}

/** Percent of the bar filled: what ended (finished or cancelled) of what started; a run that ended fills it. */
export function progressPercent(t: TaskTally, status: RunStatus): number {
  if (isTerminal(status)) return 100;
  return t.started === 0 ? 0 : Math.round((Math.min(t.finished + t.cancelled, t.started) / t.started) * 100);
}
