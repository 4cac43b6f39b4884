import type { RunPolicy } from "./policy.ts";
import type { RunRefs } from "./refs.ts";

/**
 * Glossary
 * - package:   a Leviathan package directory (`lev/<ns>/<name>/__init__.py`, `pyproject.toml`).
 * - function:  what a run executes: a workflow (`async def`) or a mode (a function returning a `Cr`).
 * - mode:      a function of a tool module that returns a `Cr`; calling it runs nothing.
 * - tool:      a module whose functions are modes.
 * - run:       one execution of one function, numbered by the caller (`job`), owned by a user.
 * - task:      one `Cr` the run's workflow awaited or started: a tool container (plus services).
 *              Task 0 is the workflow itself.
 * - workflow container: runs the function; no network, no Docker socket, no credentials;
 *              talks to the runner over the channel only.
 * - channel:   a unix socket to the runner (see PROTOCOL.md): the workflow's, one per run, and
 *              one per task, through which a tool container hands over its document or error.
 * - collection: `<ns>|…|<schema>`, where the results of a task are stored, `_id: {job, task}`.
 */

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled" | "timed_out";
export type TerminalRunStatus = Exclude<RunStatus, "queued" | "running">;
export type TaskStatus = "starting" | "running" | "succeeded" | "failed" | "stopped" | "cancelled" | "timed_out";

/**
 * Every error type a run, a task or a channel answer can carry: one closed set. The Python side
 * raises the `levrt` exception of the same name (runner/python/levrt/_exceptions.py).
 */
export const RUN_ERROR_TYPES = [
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
] as const;
export type RunErrorType = (typeof RUN_ERROR_TYPES)[number];

export interface RunError {
  type: RunErrorType;
  message: string;
  traceback?: string | null;
  task?: number | null;
}

export interface TaskRecord {
  number: number;
  image: string;
  schema: string;
  coll: string;
  host: string;
  status: TaskStatus;
  exitCode: number | null;
  startedAt: string;
  endedAt: string | null;
  error: RunError | null;
  /** true when a document was stored for this task */
  stored: boolean;
  /** the image that really ran when it differs from `image` (an alias, a pinned digest); else null */
  resolvedImage?: string | null;
}

export interface LogLine {
  /** 0 is the workflow, n ≥ 1 a task */
  task: number;
  stream: "stdout" | "stderr" | "system";
  line: string;
  at: string;
}

export type RunEvent =
  | { type: "run.started"; runId: string; job: number; at: string }
  | { type: "task.started"; task: TaskRecord }
  | { type: "task.finished"; task: TaskRecord }
  | { type: "log"; log: LogLine }
  | { type: "progress"; started: number; finished: number }
  | { type: "document"; coll: string; task: number }
  | { type: "run.finished"; result: RunResult };

export interface RunResult {
  runId: string;
  job: number;
  owner: string;
  function: string;
  status: TerminalRunStatus;
  error: RunError | null;
  exitCode: number | null;
  tasks: TaskRecord[];
  collections: string[];
  logs: LogLine[];
  /** lines dropped from `logs` once the in-memory cap was reached (events still carried them) */
  logsDropped: number;
  startedAt: string;
  endedAt: string;
}

export interface ResourceLimits {
  memoryBytes: number;
  nanoCpus: number;
  pids: number;
}

export interface RunSpec {
  /** absolute path of the package directory on the Docker host */
  packageDir: string;
  function: string;
  args: Record<string, unknown>;
  job: number;
  owner: string;
  runId?: string;
  /** whole-run limit; default from the runner */
  timeoutMs?: number;
  /** default per-task limit (a `Cr(timeout=…)` may ask for less) */
  taskTimeoutMs?: number;
  signal?: AbortSignal;
  /** receives every event of the run, its first (`run.started`, sent as it starts) included */
  onEvent?: (ev: RunEvent) => void;
  /** what this run may do (images, privileges, quotas); default: the runner's `policy` */
  policy?: RunPolicy;
  /**
   * The pinned dependency closure of the package version being run: each mounted read-only at
   * `/lev/deps/<ns>.<name>` and put on the Python path, in the workflow, tool and service containers.
   */
  dependencies?: PackageDependency[];
  /**
   * What each typed reference in `args` (`{"$lev": "file", "id": …}`) stands for: a stored blob on
   * the Docker host, mounted read-only where a `Cr(files={…})` of the run puts that reference.
   * Chosen by the hub or worker; a reference in `args` that is not here refuses the run.
   */
  refs?: RunRefs;
}

/** One published package version another one depends on (already resolved and pinned). */
export interface PackageDependency {
  namespace: string;
  name: string;
  version: string;
  /** absolute path of its files on the Docker host */
  dir: string;
}
