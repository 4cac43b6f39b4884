import "server-only";
import { AppError } from "../../errors.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import type { HubRunError } from "../../types.ts";
import { BOSS_SCHEMA, bossDb, getBoss, type RunJobData } from "../boss.ts";
import type { JobAction } from "./transitions.ts";

/**
 * The run queues' pg-boss jobs, as the lifecycle moves them (transitions.ts `jobAction`). Every
 * call joins the caller's transaction (pg-boss's `db` option): the job and the Run row change
 * together or not at all. Only lifecycle.ts uses this module.
 */

export type Tx = Prisma.TransactionClient;

/** A job fetched from a run queue (now active in pg-boss) and the run it names. */
export interface FetchedJob {
  queue: string;
  id: string;
  runId: string;
}

/** The run's job, as its row records it (absent for runs of a hub from before the queue). */
export interface RunJob {
  jobId: string | null;
  queue: string | null;
}

/**
 * Sends a run's job: grouped by its owner (the per-user limit), singleton per run and attempt, no
 * retries by pg-boss (only the janitor queues a run again). Returns the job id.
 */
export async function sendJob(tx: Tx, queue: string, run: { id: string; ownerId: string; attempt: number }): Promise<string> {
  const boss = await getBoss();
  const data: RunJobData = { runId: run.id };
  const singletonKey = run.attempt > 1 ? `${run.id}:${run.attempt}` : run.id;
  const jobId = await boss.send(queue, data, { db: bossDb(tx), group: { id: run.ownerId }, singletonKey, retryLimit: 0 });
  if (!jobId) throw new AppError("conflict", "this run is already queued");
  return jobId;
}

/** The next job of the first of `queues` that has one (in order), skipping owners in `ignoreGroups`; null when none waits. */
export async function fetchJob(tx: Tx, queues: readonly string[], ignoreGroups: string[]): Promise<FetchedJob | null> {
  const boss = await getBoss();
  for (const queue of queues) {
    const [job] = await boss.fetch<RunJobData>(queue, { db: bossDb(tx), batchSize: 1, ignoreGroups: ignoreGroups.length ? ignoreGroups : null });
    if (job) return { queue, id: job.id, runId: job.data.runId };
  }
  return null;
}

/**
 * Whether any job waits in one of `queues` now (a hint, read without a lock: a claim fetches for
 * real). A poll asks first and takes the claim lock only when there is something to claim. pg-boss
 * is started first: it makes its schema, which a fresh hub's first poll may come before.
 */
export async function jobsWaiting(client: Pick<Tx, "$queryRawUnsafe">, queues: readonly string[]): Promise<boolean> {
  await getBoss();
  const [row] = await client.$queryRawUnsafe<{ waiting: boolean }[]>(
    `SELECT EXISTS (SELECT 1 FROM ${BOSS_SCHEMA}.job WHERE name = ANY($1::text[]) AND state < 'active' AND start_after <= now()) AS waiting`,
    [...queues],
  );
  return !!row?.waiting;
}

/**
 * Locks a waiting job's row. A claim locks the job (pg-boss's fetch, `FOR UPDATE SKIP LOCKED`)
 * before it updates the run; whoever ends a queued run takes the same locks in the same order, so
 * the two never wait on each other crosswise: the one that comes second finds the job taken (a
 * claim skips it) or the run no longer queued (an ending does not apply).
 */
export async function lockJob(tx: Tx, jobId: string): Promise<void> {
  await tx.$queryRawUnsafe(`SELECT 1 FROM ${BOSS_SCHEMA}.job WHERE id = $1::uuid FOR UPDATE`, jobId);
}

/** Does `action` (complete, cancel or fail) to the run's job; a run without a job has nothing to settle. */
export async function settleJob(tx: Tx, job: RunJob, action: Extract<JobAction, "complete" | "cancel" | "fail">, output: { status: string } | HubRunError | null): Promise<void> {
  if (!job.jobId || !job.queue) return;
  const boss = await getBoss();
  const db = { db: bossDb(tx) };
  if (action === "complete") await boss.complete(job.queue, job.jobId, output, db);
  else if (action === "cancel") await boss.cancel(job.queue, job.jobId, db);
  else await boss.fail(job.queue, job.jobId, output, db);
}
