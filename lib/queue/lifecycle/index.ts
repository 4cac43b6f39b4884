/**
 * A run's lifecycle: the only writer of `Run.status` (and of a task's end when its run ends) and
 * the only caller of pg-boss for runs. `transitions.ts` is the state machine (pure), `lifecycle.ts`
 * one function per change, `jobs.ts` the pg-boss side. See lib/README.md "Run lifecycle".
 */
export {
  anyJobWaiting,
  cancelQueued,
  claim,
  endRun,
  enqueue,
  finish,
  markRunning,
  nextJob,
  QUEUE_FREED,
  mergeTaskReport,
  recordTasks,
  requestCancel,
  requeue,
  type FetchedJob,
  type Holder,
  type NewRun,
  type RunOutcome,
  type TaskReport,
  type Tx,
} from "./lifecycle.ts";
export { ENDINGS, UNFINISHED_TASK_STATUS, type EndingType } from "./transitions.ts";
