/**
 * Which saved scans fire on a tick (pure). A due scan fires ONCE however many of its times passed
 * while the hub was down, and its next time is the first one after `now`.
 */
import { AppError } from "../errors.ts";
import { withFieldErrors } from "../runs/target-args.ts";
import { nextFireTime } from "./cron.ts";

export interface ScheduledScan {
  id: string;
  enabled: boolean;
  cron: string | null;
  timezone: string;
  nextRunAt: Date | null;
}

export type Firing = { id: string; nextRunAt: Date } | { id: string; nextRunAt: null; error: string };

export function isDue(scan: ScheduledScan, now: Date): boolean {
  return scan.enabled && !!scan.cron && scan.nextRunAt !== null && scan.nextRunAt.getTime() <= now.getTime();
}

/** The firings of this tick: one per due scan, each with its next time (or why it has none). */
export function dueScans(scans: readonly ScheduledScan[], now: Date): Firing[] {
  const out: Firing[] = [];
  for (const scan of scans) {
    if (!isDue(scan, now)) continue;
    try {
      out.push({ id: scan.id, nextRunAt: nextFireTime(scan.cron!, scan.timezone, now) });
    } catch (err) {
      // the schedule's every problem (the field errors), not only which fields have one
      out.push({ id: scan.id, nextRunAt: null, error: err instanceof AppError ? withFieldErrors(err.message, err.fieldErrors) : String(err) });
    }
  }
  return out;
}
