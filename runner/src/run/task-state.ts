/** What one task of a run is while it lives, and what the tasks need from their run. */
import type { RunFacts } from "../policy/container-config.ts";
import type { LogSink } from "../channel/log-sink.ts";
import type { RunPolicy } from "../policy/policy.ts";
import type { RunContext, RunParams } from "./context.ts";
import type { StoredMeta } from "../store/store.ts";
import type { TaskChannel } from "../channel/task-channel.ts";
import type { RunEvent, TaskRecord } from "../types.ts";
import type { RunScope } from "./run-scope.ts";

/** What the tasks need from their run. */
export interface TaskHost {
  ctx: RunContext;
  params: RunParams;
  facts: RunFacts;
  runDir: string;
  sink: LogSink;
  emit(ev: RunEvent): void;
  /** the run's scope enforcement (its network's rules) */
  scope: RunScope;
  /** collections this run stored documents in */
  collections: Set<string>;
  /** every container of the run not yet removed */
  containers: Set<string>;
  /** the run is ending (cancel, timeout, the workflow exited): nothing new starts */
  ending(): boolean;
  /** aborts when the run is cancelled or times out (a workflow that just ended does not) */
  aborted: AbortSignal;
  logTail(task: number): string;
  meta(task: number): StoredMeta;
}

export interface TaskState {
  record: TaskRecord;
  /** the run's policy, with a verified dependency's grant when this task's Cr comes from one */
  policy: RunPolicy;
  name: string;
  dir: string;
  weight: number;
  slotHeld: boolean;
  containerId: string | null;
  serviceIds: string[];
  /** the tool's channel first, then its services' */
  channels: TaskChannel[];
  signalled: boolean;
  onRunNetwork: boolean;
  timedOut: boolean;
  cancelled: boolean;
  timer: NodeJS.Timeout | null;
  finished: Promise<void>;
  markFinished: () => void;
  /** the dependency whose grant the task runs under (its containers run isolated) */
  isolatedFor?: string;
  /** the run's arguments or the task's Cr hold a secret (refs.ts holdsSecret) */
  holdsSecret: boolean;
  /** the tool container as configured, for a debugger's check (set when it is created) */
  container: { user?: string; capAdd: string[]; network: string } | null;
  /** the task was started to pause before its entry (its container got LEV_DEBUG_PAUSE) */
  pauses: boolean;
  /** set while the task waits before its entry for a debugger: calling it lets the entry run */
  resume: (() => void) | null;
  /** its document's write, begun when the task said it was final (task-document.ts) */
  storing: Promise<string | null> | null;
}
