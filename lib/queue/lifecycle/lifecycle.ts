import "server-only";
import { randomUUID } from "node:crypto";
import { Prisma } from "../../generated/prisma/client.ts";
import type { HubRunError, TaskStatus, TerminalRunStatus } from "../../types.ts";
import { eventText, recordProjectEvent } from "../../events/events.ts";
import { notify, QUEUE_CHANNEL, RUN_CHANNEL } from "../notify.ts";
import { RUN_QUEUE } from "../queue-names.ts";
import { fetchJob, jobsWaiting, lockJob, sendJob, settleJob, type FetchedJob, type RunJob, type Tx } from "./jobs.ts";
import { fromStates, jobAction, SKIPPED_CLAIM_JOB_ACTION, targetStatus, UNFINISHED_TASK_STATUS, type EndingType, type Transition } from "./transitions.ts";

/**
 * The one writer of a run's state (`Run.status` and what goes with it, a task's end when its run
 * ends) and the one caller of pg-boss for runs. Each operation is one UPDATE whose WHERE holds the
 * statuses it applies from (transitions.ts), with the job's change and the NOTIFY in the caller's
 * transaction; it returns whether it applied. A run in another status is left as it is: "not
 * applied" is an answer, not an error.
 */

export type { FetchedJob, Tx } from "./jobs.ts";

/**
 * What a QUEUE_CHANNEL notification says when a held run ended: its place among the limits (total,
 * its owner's, its worker's) is free again, so waiting polls try to claim at once rather than on
 * their fallback timer. The other payloads: a queue's name (a run waits in it), "cancel".
 */
export const QUEUE_FREED = "freed";

const json = (v: unknown) => v as Prisma.InputJsonValue;
const inFrom = (t: Transition) => ({ in: [...fromStates(t)] });
const heldByWhere = (heldBy: string | null | undefined) => (heldBy === undefined ? {} : { workerInstance: heldBy });

async function jobOf(tx: Tx, runId: string): Promise<RunJob> {
  return tx.run.findUniqueOrThrow({ where: { id: runId }, select: { jobId: true, queue: true } });
}

/** Tasks with no end recorded when their run ends: ended now, UNFINISHED_TASK_STATUS. */
async function endOpenTasks(tx: Tx, runId: string, now: Date): Promise<void> {
  await tx.task.updateMany({ where: { runId, endedAt: null }, data: { status: UNFINISHED_TASK_STATUS, endedAt: now } });
}

/** The project's `run.failed` event, in the transaction that ended the run. */
async function recordFailure(tx: Tx, runId: string, error: { type: string; message: string } | null): Promise<void> {
  const run = await tx.run.findUniqueOrThrow({
    where: { id: runId },
    select: { projectId: true, number: true, function: true, version: { select: { package: { select: { name: true, namespace: { select: { name: true } } } } } } },
  });
  await recordProjectEvent(tx, {
    projectId: run.projectId,
    type: "run.failed",
    data: {
      run: { id: runId, number: run.number, function: run.function, package: `${run.version.package.namespace.name}.${run.version.package.name}` },
      error: error ? { type: error.type, message: eventText(error.message) } : null,
    },
  });
}

/** What a new run is made of; where it waits and its state are enqueue's. */
export type NewRun = Omit<Prisma.RunUncheckedCreateInput, "status" | "queue" | "queuedAt" | "jobId" | "deviceId" | "attempt" | "workerId" | "workerInstance" | "claimedAt" | "endedAt">;

/**
 * A new run, queued: the row and its job in the caller's transaction (a database that fails in
 * between leaves neither). `place.queue` must exist in pg-boss (a device's queue is made on first
 * use, before the transaction). Pollers are woken when it commits.
 */
export async function enqueue(tx: Tx, data: NewRun, place: { queue: string; deviceId: string | null }): Promise<string> {
  const row = await tx.run.create({ data: { ...data, status: targetStatus({ op: "enqueue" }), queue: place.queue, queuedAt: new Date(), deviceId: place.deviceId } });
  const jobId = await sendJob(tx, place.queue, row);
  await tx.run.update({ where: { id: row.id }, data: { jobId } });
  await notify(tx, QUEUE_CHANNEL, place.queue);
  await notify(tx, RUN_CHANNEL, row.id);
  return row.id;
}

/** Whether a job waits in any of `queues` (read without a lock or a transaction: a hint for a poll). */
export function anyJobWaiting(client: Pick<Tx, "$queryRawUnsafe">, queues: readonly string[]): Promise<boolean> {
  return jobsWaiting(client, queues);
}

/** The next job waiting in the first of `queues` that has one, skipping owners at their limit; null when none waits. */
export function nextJob(tx: Tx, queues: readonly string[], ignoreGroups: string[]): Promise<FetchedJob | null> {
  return fetchJob(tx, queues, ignoreGroups);
}

/** The worker process that takes (or holds) a run. */
export interface Holder {
  workerId: string;
  instance: string;
}

/**
 * queued → starting for `holder`, when the run is still queued under the job fetched and `mayTake`
 * accepts it (who may take which run is placement's rule). Not applied (cancelled meanwhile, or not
 * this worker's to take): the fetched job is completed, it has nothing left to do.
 */
export async function claim(
  tx: Tx,
  job: FetchedJob,
  holder: Holder,
  mayTake: (run: { ownerId: string; deviceId: string | null; queuedAt: Date | null }) => boolean,
): Promise<boolean> {
  const t = { op: "claim" } as const;
  const target = await tx.run.findUnique({ where: { id: job.runId }, select: { ownerId: true, deviceId: true, queuedAt: true } });
  const { count } =
    target && mayTake(target)
      ? await tx.run.updateMany({
          where: { id: job.runId, status: inFrom(t), jobId: job.id },
          data: { status: targetStatus(t), workerId: holder.workerId, workerInstance: holder.instance, claimedAt: new Date() },
        })
      : { count: 0 };
  if (!count) {
    await settleJob(tx, { jobId: job.id, queue: job.queue }, SKIPPED_CLAIM_JOB_ACTION, null);
    return false;
  }
  await notify(tx, RUN_CHANNEL, job.runId);
  return true;
}

/** starting → running, reported by the instance holding the run; `startedAt` when the worker said when. */
export async function markRunning(tx: Tx, runId: string, instance: string, startedAt?: Date): Promise<boolean> {
  const t = { op: "markRunning" } as const;
  const { count } = await tx.run.updateMany({
    where: { id: runId, status: inFrom(t), workerInstance: instance },
    data: { status: targetStatus(t), ...(startedAt ? { startedAt } : {}) },
  });
  if (count) await notify(tx, RUN_CHANNEL, runId);
  return count > 0;
}

/** A task as its worker reports it, already cut to size by the caller. */
export interface TaskReport {
  number: number;
  image: string;
  resolvedImage: string | null;
  coll: string;
  status: TaskStatus;
  exitCode: number | null;
  error: HubRunError | null;
  stored: boolean;
  startedAt: Date;
  endedAt: Date | null;
}

/**
 * A task reported twice in one report (started, then finished): the later report stands, except
 * that an error said before stays when the later one says none — what two upserts one after the
 * other left.
 */
export function mergeTaskReport(before: TaskReport | undefined, after: TaskReport): TaskReport {
  return before ? { ...after, error: after.error ?? before.error } : after;
}

/** A time as PostgreSQL's `timestamp(3)` in UTC, as Prisma stores a DateTime, whatever the session's time zone. */
const utc = (d: Date | null) => (d ? Prisma.sql`(${d.toISOString()}::timestamptz AT TIME ZONE 'UTC')` : Prisma.sql`NULL::timestamp`);

/**
 * Records tasks' states as the worker holding their run reports them, one statement for a whole
 * report: it was a Prisma upsert per event, on the path where Prisma's interpreter took a third of
 * the hub's CPU (docs/design/scale.md, section 2).
 * Each task's fields are the report's; an error stays when the report says none. The caller
 * (ingest) holds the run's row lock, has checked that this instance holds the run and that it has
 * not ended, and merged a task's reports into one (mergeTaskReport): one row may be named once.
 */
export async function recordTasks(tx: Tx, runId: string, tasks: readonly TaskReport[]): Promise<void> {
  // a run's end may list thousands; 12 parameters a row and PostgreSQL takes 65,535 a statement
  for (let i = 0; i < tasks.length; i += TASK_ROWS_PER_STATEMENT) await upsertTasks(tx, runId, tasks.slice(i, i + TASK_ROWS_PER_STATEMENT));
}

const TASK_ROWS_PER_STATEMENT = 1000;

async function upsertTasks(tx: Tx, runId: string, tasks: readonly TaskReport[]): Promise<void> {
  // every value cast: a multi-row VALUES list types its columns before they meet the table's
  const rows = tasks.map(
    (t) =>
      Prisma.sql`(${randomUUID()}, ${runId}, ${t.number}::int, ${t.image}::text, ${t.resolvedImage}::text, ${t.coll}::text, ${t.status}::"TaskStatus",
        ${t.exitCode}::int, ${t.error ? JSON.stringify(t.error) : null}::jsonb, ${t.stored}::boolean, ${utc(t.startedAt)}, ${utc(t.endedAt)})`,
  );
  await tx.$executeRaw`
    INSERT INTO "Task" (id, "runId", number, image, "resolvedImage", coll, status, "exitCode", error, stored, "startedAt", "endedAt")
    VALUES ${Prisma.join(rows)}
    ON CONFLICT ("runId", number) DO UPDATE SET
      image = EXCLUDED.image, "resolvedImage" = EXCLUDED."resolvedImage", coll = EXCLUDED.coll, status = EXCLUDED.status,
      "exitCode" = EXCLUDED."exitCode", error = COALESCE(EXCLUDED.error, "Task".error), stored = EXCLUDED.stored,
      "startedAt" = EXCLUDED."startedAt", "endedAt" = EXCLUDED."endedAt"`;
}

/** How a run ended, as its worker reports it. */
export interface RunOutcome {
  status: TerminalRunStatus;
  error: HubRunError | null;
  exitCode: number | null;
  startedAt: Date;
  endedAt: Date;
}

/**
 * starting | running → the worker's final status, reported by the instance holding the run: its
 * tasks still open end, its job is completed.
 */
export async function finish(tx: Tx, runId: string, instance: string, outcome: RunOutcome): Promise<boolean> {
  const t = { op: "finish", status: outcome.status } as const;
  const { count } = await tx.run.updateMany({
    where: { id: runId, status: inFrom(t), workerInstance: instance },
    data: {
      status: targetStatus(t),
      ...(outcome.error ? { error: json(outcome.error) } : {}),
      exitCode: outcome.exitCode,
      startedAt: outcome.startedAt,
      endedAt: outcome.endedAt,
    },
  });
  if (!count) return false;
  await endOpenTasks(tx, runId, new Date());
  await settleJob(tx, await jobOf(tx, runId), "complete", { status: outcome.status });
  if (outcome.status === "failed") await recordFailure(tx, runId, outcome.error);
  await notify(tx, RUN_CHANNEL, runId);
  await notify(tx, QUEUE_CHANNEL, QUEUE_FREED);
  return true;
}

/**
 * The hub ends a run for a reason of ENDINGS (transitions.ts), from the statuses that reason
 * allows; `heldBy` (when given) must still be the instance holding it, so a decision about one
 * worker never ends a run another took since. Its tasks still open end; its job is cancelled
 * (a cancel) or failed with the error.
 */
export async function endRun(tx: Tx, runId: string, error: { type: EndingType; message: string }, opts: { heldBy?: string | null; now?: Date } = {}): Promise<boolean> {
  const t = { op: "end", ending: error.type } as const;
  const now = opts.now ?? new Date();
  const status = targetStatus(t);
  const current = await tx.run.findUnique({ where: { id: runId }, select: { status: true, jobId: true } });
  if (!current || !fromStates(t).includes(current.status)) return false;
  // a queued run's job may be in a claim's hands: its lock first, as the claim takes them (jobs.ts lockJob)
  if (current.status === "queued" && current.jobId) await lockJob(tx, current.jobId);
  const { count } = await tx.run.updateMany({
    where: { id: runId, status: inFrom(t), ...heldByWhere(opts.heldBy) },
    data: { status, error: json(error), endedAt: now, ...(status === "cancelled" ? { cancelRequestedAt: now, cancelReason: error.message } : {}) },
  });
  if (!count) return false;
  await endOpenTasks(tx, runId, now);
  const action = jobAction(t);
  await settleJob(tx, await jobOf(tx, runId), action === "cancel" ? "cancel" : "fail", error);
  if (status === "failed") await recordFailure(tx, runId, error);
  await notify(tx, RUN_CHANNEL, runId);
  if (current.status !== "queued") await notify(tx, QUEUE_CHANNEL, QUEUE_FREED);
  return true;
}

/** A queued run cancelled at once (its owner or an admin asked): queued → cancelled, its job cancelled. */
export function cancelQueued(tx: Tx, runId: string, message: string): Promise<boolean> {
  return endRun(tx, runId, { type: "Cancelled", message });
}

/**
 * Asks the worker holding a run to stop it (the status stays; the worker reports the end). It learns
 * it from its next poll, heartbeat or events answer, each of which the NOTIFY hurries. Applies once.
 */
export async function requestCancel(tx: Tx, runId: string, reason: string): Promise<boolean> {
  const t = { op: "requestCancel" } as const;
  const { count } = await tx.run.updateMany({ where: { id: runId, status: inFrom(t), cancelRequestedAt: null }, data: { cancelRequestedAt: new Date(), cancelReason: reason } });
  if (!count) return false;
  await notify(tx, QUEUE_CHANNEL, "cancel");
  await notify(tx, RUN_CHANNEL, runId);
  return true;
}

/**
 * A held run waits again for another attempt (its worker was lost and its function opts into
 * retries): only while it is still attempt `attempt` held by `heldBy`. The old job fails with
 * `reason`, a new one is sent; the tasks of the failed attempt go (the next attempt reports from
 * seq 1 and numbers its tasks anew) and the run's log says why (log lines keep the hub's seq).
 */
export async function requeue(tx: Tx, runId: string, opts: { heldBy?: string | null; attempt: number; reason: HubRunError; now?: Date }): Promise<boolean> {
  const t = { op: "requeue" } as const;
  const now = opts.now ?? new Date();
  const { count } = await tx.run.updateMany({
    where: { id: runId, status: inFrom(t), attempt: opts.attempt, ...heldByWhere(opts.heldBy) },
    data: {
      status: targetStatus(t),
      attempt: { increment: 1 },
      queuedAt: now,
      workerId: null,
      workerInstance: null,
      claimedAt: null,
      startedAt: null,
      reportedSeq: 0,
      logLines: { increment: 1 },
      cancelRequestedAt: null,
      cancelReason: null,
    },
  });
  if (!count) return false;
  const row = await tx.run.findUniqueOrThrow({ where: { id: runId }, select: { ownerId: true, attempt: true, logLines: true, jobId: true, queue: true } });
  await settleJob(tx, row, "fail", opts.reason);
  const queue = row.queue ?? RUN_QUEUE;
  const jobId = await sendJob(tx, queue, { id: runId, ownerId: row.ownerId, attempt: row.attempt });
  await tx.run.update({ where: { id: runId }, data: { jobId, queue } });
  await tx.task.deleteMany({ where: { runId } });
  await tx.runLog.create({ data: { runId, seq: row.logLines, task: 0, stream: "system", line: opts.reason.message, at: now } });
  await notify(tx, RUN_CHANNEL, runId);
  await notify(tx, QUEUE_CHANNEL, queue);
  return true;
}
