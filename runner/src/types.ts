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
import type { RunnerErrorType, TaskStatus, TerminalRunStatus } from "./status.ts";
import type { BlockedAttempt, BlockedName } from "./scope/blocked.ts";

export type { BlockedAttempt } from "./scope/blocked.ts";

/**
 * What a scoped run's network did: whether its scope was enforced (and why not), and the
 * destinations its containers were refused (most packets first, capped; `blockedDropped` more).
 */
export interface ScopeReport {
  enforcement: "enforced" | "unenforced";
  reason?: string;
  blocked: BlockedAttempt[];
  blockedDropped: number;
  /** whether the run's DNS responder answers its in-scope names (absent: a runner that predates it, or none) */
  resolver?: boolean;
  /** names the responder refused, most queried first (absent: none) */
  blockedNames?: BlockedName[];
  blockedNamesDropped?: number;
}

export type { RunnerErrorType, RunStatus, TaskStatus, TerminalRunStatus } from "./status.ts";

/** An error as a runner decides it: its type is one of the runner's (`RUNNER_ERROR_TYPES`, runner/src/status.ts). */
export interface RunError {
  type: RunnerErrorType;
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
  /**
   * a line of the runner's own machinery (the planner rebuilding a dependency's Cr), not of the
   * run: a worker keeps it in its own log and never reports it, so users' logs show only what
   * concerns their run (a `system` line with a real reason, PolicyDenied, stays theirs)
   */
  internal?: true;
}

export type RunEvent =
  | { type: "run.started"; runId: string; job: number; at: string }
  | { type: "task.started"; task: TaskRecord }
  | { type: "task.finished"; task: TaskRecord }
  | { type: "log"; log: LogLine }
  | { type: "progress"; started: number; finished: number }
  | { type: "document"; coll: string; task: number }
  | { type: "scope"; scope: ScopeReport }
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

/** One published package version another one depends on (already resolved and pinned). */
export interface PackageDependency {
  namespace: string;
  name: string;
  version: string;
  /** absolute path of its files on the Docker host */
  dir: string;
}
