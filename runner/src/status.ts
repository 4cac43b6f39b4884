/**
 * The closed sets of a run's life, once for everyone: the runner, the worker protocol, the CLI,
 * the hub (its Prisma enums `RunStatus` and `TaskStatus` must hold the same values: a unit test
 * compares them) and the pages. Pure: no I/O, safe in a browser bundle.
 */
import { z } from "zod";

/**
 * A run's status on the hub: `queued` (waiting in the queue), `starting` (a worker claimed it, its
 * containers are not up yet), `running`, then one of the terminal ones. A runner on its own (`lev
 * exec`) knows only `running` and the terminal ones.
 */
export const RUN_STATUSES = ["queued", "starting", "running", "succeeded", "failed", "cancelled", "timed_out"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const runStatusSchema = z.enum(RUN_STATUSES);

/** A run in one of these has ended: nothing changes it any more. */
export const TERMINAL_RUN_STATUSES = ["succeeded", "failed", "cancelled", "timed_out"] as const satisfies readonly RunStatus[];
export type TerminalRunStatus = (typeof TERMINAL_RUN_STATUSES)[number];
export const terminalRunStatusSchema = z.enum(TERMINAL_RUN_STATUSES);

/** A worker holds a run in one of these (it counts toward the limits; the janitor watches it). */
export const HELD_RUN_STATUSES = ["starting", "running"] as const satisfies readonly RunStatus[];
export type HeldRunStatus = (typeof HELD_RUN_STATUSES)[number];

export function isTerminal(status: string): status is TerminalRunStatus {
  return (TERMINAL_RUN_STATUSES as readonly string[]).includes(status);
}

export function isHeld(status: string): status is HeldRunStatus {
  return (HELD_RUN_STATUSES as readonly string[]).includes(status);
}

/**
 * A task's status: `starting`, `running`, then how it ended — `stopped` is a service container
 * stopped at the end of its task, `cancelled` a task stopped because its run ended first.
 */
export const TASK_STATUSES = ["starting", "running", "succeeded", "failed", "stopped", "cancelled", "timed_out"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const taskStatusSchema = z.enum(TASK_STATUSES);

/**
 * Every error type a run, a task or a channel answer can carry when a runner decides it. The
 * Python side raises the `levrt` exception of the same name (runner/python/levrt/_exceptions.py).
 * A worker reports only these.
 */
export const RUNNER_ERROR_TYPES = [
  "RunnerError",
  "WorkflowError",
  "TaskFailed",
  "TaskTimeout",
  "TaskCancelled",
  "RunTimeout",
  "Cancelled",
  "ImageNotFound",
  "PolicyDenied",
  "QuotaExceeded",
  "OutputTooLarge",
  "InvalidRequest",
  // a run's file (levrt.File) could not be fetched from the hub or did not match its sha256: the run never started
  "FileUnavailable",
] as const;
export type RunnerErrorType = (typeof RUNNER_ERROR_TYPES)[number];

/**
 * Errors only the hub can decide, when it ends a run itself: its own process stopped (a run from
 * before the queue), the worker holding the run stopped answering, the run's device was revoked,
 * the run's project's authorised window closed (or is not open yet when a worker would take it);
 * DeviceTimeout: the device a run was sent to did not take it within the admin's time (offline,
 * never connected). A new reason to end runs adds its type here and its from-states in
 * lib/queue/lifecycle/transitions.ts.
 */
export const HUB_ERROR_TYPES = ["HubStopped", "WorkerLost", "DeviceRevoked", "OutsideWindow", "DeviceTimeout"] as const;
export type HubErrorType = (typeof HUB_ERROR_TYPES)[number];

/** Every type a stored run error can have: one closed set. */
export const RUN_ERROR_TYPES = [...RUNNER_ERROR_TYPES, ...HUB_ERROR_TYPES] as const;
export type RunErrorType = (typeof RUN_ERROR_TYPES)[number];
export const runErrorTypeSchema = z.enum(RUN_ERROR_TYPES);

/** What a runner error of a type outside the closed set becomes (a worker's word is never stored as sent). */
export const UNKNOWN_ERROR_TYPE: RunnerErrorType = "RunnerError";

export function isRunnerErrorType(type: string): type is RunnerErrorType {
  return (RUNNER_ERROR_TYPES as readonly string[]).includes(type);
}

/**
 * An error type as a worker reports it: one of the runner's, else the generic one. Never refused
 * (the run's end still counts), never kept as sent.
 */
export const reportedErrorTypeSchema = z.string().transform((t): RunnerErrorType => (isRunnerErrorType(t) ? t : UNKNOWN_ERROR_TYPE));
