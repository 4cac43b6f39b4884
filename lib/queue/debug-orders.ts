import "server-only";
import { db } from "../platform/db.ts";
import type { DebugOrder } from "../../runner/worker/protocol.ts";

/** Sessions waiting for this instance to open them. `fresh`: only those not handed over before (marked now). */
export async function debugOrders(instance: string, opts: { fresh?: boolean } = {}): Promise<DebugOrder[]> {
  const rows = opts.fresh
    ? await db().$queryRaw<{ id: string; runId: string; task: number; cols: number; rows: number }[]>`
        UPDATE "DebugSession" s SET "orderedAt" = now()
          FROM "Run" r
         WHERE s."runId" = r.id AND s."workerInstance" = ${instance} AND r."workerInstance" = ${instance}
           AND s.state = 'pending' AND s."orderedAt" IS NULL
        RETURNING s.id, s."runId", s.task, s.cols, s.rows`
    : await db().$queryRaw<{ id: string; runId: string; task: number; cols: number; rows: number }[]>`
        SELECT s.id, s."runId", s.task, s.cols, s.rows FROM "DebugSession" s JOIN "Run" r ON r.id = s."runId"
         WHERE s."workerInstance" = ${instance} AND r."workerInstance" = ${instance} AND s.state = 'pending'
         LIMIT 64`;
  return rows.map((r) => ({ session: r.id, runId: r.runId, task: r.task, cols: r.cols, rows: r.rows }));
}
