import "server-only";
import { getBoss } from "../queue/boss.ts";
import { fireDueScans, type TickResult } from "./fire.ts";

/** pg-boss's schedule that drives saved scans: one job a minute, whichever hub process takes it. */
export const SCAN_TICK = "levhub-scan-tick";
export const SCAN_TICK_CRON = "* * * * *";

function report(what: string, r: TickResult) {
  if (r.started || r.failed || r.skipped || r.disabled) {
    console.log(`[levhub] ${what}: ${r.started} scan run(s) started, ${r.failed} failed, ${r.skipped} skipped (outside their project's window), ${r.disabled} scan(s) disabled`);
  }
}

/**
 * Fires the scans that came due while no hub ran (once each, however many times they missed),
 * then has pg-boss send a tick a minute and handles it here. The schedule lives in pg-boss's own
 * tables (created at run time, `schedule()`), so several hubs on one database keep one schedule;
 * each tick fires each scan once (the row lock in `fireDueScans`). Returns a stop function.
 */
export async function startScanTicker(): Promise<{ catchUp: TickResult; stop: () => Promise<void> }> {
  const catchUp = await fireDueScans();
  report("catch-up at start", catchUp);
  const boss = await getBoss();
  if (!(await boss.getQueue(SCAN_TICK))) await boss.createQueue(SCAN_TICK, { retryLimit: 0, policy: "singleton" });
  // a tick missed while the hub was down is nothing to catch up: the catch-up above did it
  await boss.schedule(SCAN_TICK, SCAN_TICK_CRON, null, { tz: "UTC", missed: "skip", retryLimit: 0 });
  const workerId = await boss.work(SCAN_TICK, { pollingIntervalSeconds: 5, batchSize: 1 }, async () => {
    try {
      report("scan tick", await fireDueScans());
    } catch (err) {
      // a tick that failed (the database away) leaves the scans due: the next tick fires them
      console.error("[levhub] scan tick:", err instanceof Error ? err.message : err);
    }
  });
  return {
    catchUp,
    stop: async () => {
      await boss.offWork(SCAN_TICK, { id: workerId }).catch(() => undefined);
    },
  };
}
