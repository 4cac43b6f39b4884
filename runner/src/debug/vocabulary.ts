/**
 * The closed sets of the debug terminal (a shell into a running task's container), shared by the
 * runner, the worker protocol, the hub, its pages and the CLI. Pure.
 */
import { z } from "zod";

/**
 * Why a debug terminal is refused, decided by the hub (lib/debug/decision.ts) and again by the
 * worker that holds the run (debug/task-debug.ts):
 * - `disabled`: an admin turned debug terminals off (Admin → Policy)
 * - `run_not_running`: the run is not held by a worker (queued, or ended)
 * - `task_not_running`: no such task, or it is not running (starting, or ended)
 * - `granted`: the task runs under a grant (host network, capabilities, a dependency's grant): a
 *   shell there would hand that privilege over
 * - `secret`: the task holds a secret (a typed reference other than the owner's own file): a
 *   shell there would hand the secret over
 * - `too_many`: the task already has as many open sessions as a task may have
 */
export const DEBUG_REFUSALS = ["disabled", "run_not_running", "task_not_running", "granted", "secret", "too_many"] as const;
export type DebugRefusal = (typeof DEBUG_REFUSALS)[number];
export const debugRefusalSchema = z.enum(DEBUG_REFUSALS);

/**
 * How a debug session ended:
 * - `closed`: its user closed it
 * - `idle`: nothing typed and nothing printed for the idle timeout (an admin setting)
 * - `task_ended`: the task (or its run) ended
 * - `shell_exited`: the shell exited (`exit`, Ctrl-D)
 * - `refused`: the worker refused it (its own check of the task)
 * - `failed`: the worker could not start a shell (no /bin/sh in the image, the engine refused)
 * - `worker_gone`: the worker holding the run did not open it in time, or stopped serving it
 * - `output_limit`: the shell printed more than a session may carry
 */
export const DEBUG_END_REASONS = ["closed", "idle", "task_ended", "shell_exited", "refused", "failed", "worker_gone", "output_limit"] as const;
export type DebugEndReason = (typeof DEBUG_END_REASONS)[number];
export const debugEndReasonSchema = z.enum(DEBUG_END_REASONS);

/** What each end says to the person at the terminal. */
export const DEBUG_END_TEXT: Record<DebugEndReason, string> = {
  closed: "the session was closed",
  idle: "the session was idle for too long and was closed",
  task_ended: "the task ended",
  shell_exited: "the shell exited",
  refused: "the worker refused the session",
  failed: "the worker could not start a shell in the task's container",
  worker_gone: "the worker holding the run did not serve the session",
  output_limit: "the shell printed more than a session may carry",
};

/** The states of a session: waiting for the worker, open (a shell runs), ended. */
export const DEBUG_STATES = ["pending", "open", "ended"] as const;
export type DebugState = (typeof DEBUG_STATES)[number];

/** The user the shell runs as, whatever the task runs as: nobody, no capability. */
export const DEBUG_SHELL_USER = "65534:65534";
