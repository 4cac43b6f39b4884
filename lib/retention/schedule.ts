import "server-only";
import { getBoss } from "../queue/boss.ts";
import { applyRetention } from "./retention.ts";

/** pg-boss's daily retention job (03:17 UTC, off the hour other jobs crowd); whichever hub process takes it. */
export const RETENTION_JOB = "levhub-retention";
export const RETENTION_CRON = "17 3 * * *";

/**
 * Schedules retention once a day. The schedule lives in pg-boss's tables, so several hubs on one
 * database apply it once; a missed day is applied at the next (nothing older is ever kept for it).
 */
export async function startRetentionSchedule(): Promise<{ stop: () => Promise<void> }> {
  const boss = await getBoss();
  if (!(await boss.getQueue(RETENTION_JOB))) await boss.createQueue(RETENTION_JOB, { retryLimit: 0, policy: "singleton" });
  await boss.schedule(RETENTION_JOB, RETENTION_CRON, null, { tz: "UTC", retryLimit: 0 });
  const workerId = await boss.work(RETENTION_JOB, { pollingIntervalSeconds: 60, batchSize: 1 }, async () => {
    try {
      const { deleted } = await applyRetention(null);
      const total = Object.values(deleted).reduce((a, b) => a + b, 0);
      if (total) console.log(`[levhub] retention: ${Object.entries(deleted).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(", ")} deleted`);
    } catch (err) {
      console.error("[levhub] retention:", err instanceof Error ? err.message : err);
    }
  });
  return { stop: async () => void (await boss.offWork(RETENTION_JOB, { id: workerId }).catch(() => undefined)) };
}
