import type { RunError, TaskStatus } from "../types.ts";

/** What the runner knows once a task's container has exited. */
export interface TaskEndFacts {
  number: number;
  image: string;
  exitCode: number | null;
  /** the run ended (cancel, run timeout, the workflow finished) before the task did */
  cancelled: boolean;
  timedOut: boolean;
  /** the kernel killed the container for going over its memory limit */
  oomKilled: boolean;
  /** the container's memory limit, for the message */
  memoryBytes: number;
  /** the workflow signalled it (`Task.signal`): a deliberate stop, not a failure */
  signalled: boolean;
  /** the engine could not tell how the container ended */
  waitError: string | null;
  /** the task sent a document over the limit */
  outputError: RunError | null;
  /** the document it sent could not be stored */
  storeError: string | null;
  /** what the entry reported over its channel (untrusted: only ever shown, never acted on) */
  entryError: { type: string; message: string; traceback: string | null } | null;
  /** the end of the task's log, for a failure without an entry report */
  logTail: string;
}

/** A task's final status and error; the order of the checks is the precedence. */
export function taskOutcome(f: TaskEndFacts): { status: TaskStatus; error: RunError | null } {
  const n = f.number;
  if (f.cancelled) return { status: "cancelled", error: { type: "TaskCancelled", message: `task ${n} was stopped because the run ended`, task: n } };
  if (f.timedOut) return { status: "timed_out", error: { type: "TaskTimeout", message: `task ${n} exceeded its time limit and was killed`, task: n } };
  if (f.oomKilled) {
    const limit = `${Math.round(f.memoryBytes / (1024 * 1024))} MiB`;
    return {
      status: "failed",
      error: { type: "TaskFailed", message: `task ${n} (${f.image}) ran out of memory: killed at its limit of ${limit}`, traceback: f.logTail || null, task: n },
    };
  }
  if (f.outputError) return { status: "failed", error: { ...f.outputError, task: n } };
  if (f.signalled) return { status: "stopped", error: null };
  if (f.waitError) return { status: "failed", error: { type: "RunnerError", message: f.waitError, task: n } };
  if (f.storeError) return { status: "failed", error: { type: "TaskFailed", message: f.storeError, traceback: f.logTail || null, task: n } };
  if (f.exitCode === 0) return { status: "succeeded", error: null };
  if (f.entryError) {
    return {
      status: "failed",
      error: {
        type: "TaskFailed",
        message: `task ${n} (${f.image}) failed: ${f.entryError.type}: ${f.entryError.message}`,
        traceback: f.entryError.traceback,
        task: n,
      },
    };
  }
  return {
    status: "failed",
    error: { type: "TaskFailed", message: `task ${n} (${f.image}) exited with code ${f.exitCode}`, traceback: f.logTail || null, task: n },
  };
}
