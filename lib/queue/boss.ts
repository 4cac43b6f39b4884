import "server-only";
import { fromPrisma, PgBoss, type Db as IDatabase, type PrismaTransactionLike } from "pg-boss";
import { databaseUrl } from "../platform/config.ts";
import { RUN_QUEUES } from "./queue-names.ts";

/**
 * The process's one pg-boss instance (schema `pgboss` of the hub's PostgreSQL), started on first
 * use. The hub never lets pg-boss run handlers: workers reach jobs only through the hub's claim
 * (`lib/worker/claim.ts`), which fetches inside its own transaction, so the only pg-boss features
 * in play are send/fetch/complete/cancel with `db` and group limits.
 */

export { HOSTNET_QUEUE, RUN_QUEUE, RUN_QUEUES, type RunQueue } from "./queue-names.ts";

export const BOSS_SCHEMA = "pgboss";

/** What a job of a run queue carries: only the run's id; the Run row is the truth. */
export interface RunJobData {
  runId: string;
}

/** Something that runs SQL: a Prisma transaction client (or the client itself). */
export type RawSql = PrismaTransactionLike;

/** pg-boss's `db` option over a Prisma (transaction) client: its statements join that transaction. */
export function bossDb(tx: RawSql): IDatabase {
  return fromPrisma(tx);
}

const g = globalThis as typeof globalThis & { __levhubBoss?: Promise<PgBoss> };

async function create(): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: databaseUrl(),
    schema: BOSS_SCHEMA,
    max: 4,
    application_name: "levhub-queue",
  });
  boss.on("error", (err: unknown) => console.error("[levhub] queue:", err instanceof Error ? err.message : err));
  await boss.start();
  for (const name of RUN_QUEUES) {
    // no retries by pg-boss: a run is retried only by the janitor, and only when its function opts in
    if (!(await boss.getQueue(name))) await boss.createQueue(name, { retryLimit: 0, policy: "standard" });
  }
  return boss;
}

/** The process's pg-boss, started (schema installed or migrated) on first use. */
export function getBoss(): Promise<PgBoss> {
  if (!g.__levhubBoss) {
    g.__levhubBoss = create();
    g.__levhubBoss.catch(() => (g.__levhubBoss = undefined));
  }
  return g.__levhubBoss;
}

export async function stopBoss(): Promise<void> {
  const p = g.__levhubBoss;
  g.__levhubBoss = undefined;
  const boss = await p?.catch(() => null);
  await boss?.stop({ graceful: false, close: true }).catch(() => undefined);
}
