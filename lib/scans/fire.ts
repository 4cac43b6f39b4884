import "server-only";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { AppError, notFound } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { startRun } from "../runs/index.ts";
import type { RunSummary, Viewer } from "../types.ts";
import { getUser } from "../accounts/users.ts";
import { OutsideWindowError } from "../projects/run-project.ts";
import { rightsIn } from "../projects/access.ts";
import { canEditScan } from "./access.ts";
import { dueScans, type ScheduledScan } from "./due.ts";
import { scanRow } from "./scans.ts";
import type { RunTrigger, ScanError } from "./types.ts";
import { withFieldErrors } from "../runs/target-args.ts";

/** Scans fired per tick at most; the rest wait for the next tick (a minute later). */
export const MAX_FIRINGS_PER_TICK = 200;

interface FireableScan {
  id: string;
  ownerId: string;
  projectId: string;
  packageId: string;
  versionId: string | null;
  function: string;
  args: unknown;
}

/**
 * Starts one run of the scan as its creator, in the scan's project: the pinned version, or the
 * package's latest now. The creator's rights of today apply (a package turned invisible is missing;
 * no longer an operator of the project is forbidden; a function gone or arguments no longer valid
 * are a validation error; outside the project's window is refused), exactly as if they started it
 * themselves.
 */
async function startScanRun(scan: FireableScan, trigger: RunTrigger, owner?: Viewer): Promise<RunSummary> {
  const viewer = owner ?? (await getUser(scan.ownerId));
  if (!viewer) throw notFound("the scan's owner");
  // said in the project's words before startRun would say "project not found" to its creator
  if (!(await rightsIn(viewer, scan.projectId)).includes("run")) {
    throw new AppError("forbidden", `${viewer.username}, who made this scan, may no longer run in its project: a scan runs as its creator`);
  }
  const ref = scan.versionId ? { versionId: scan.versionId } : { packageId: scan.packageId };
  return startRun(viewer, { ...ref, function: scan.function, args: scan.args as Record<string, unknown> }, { scanId: scan.id, trigger, projectId: scan.projectId });
}

/** "Run now" on a scan (its creator, while they may run in its project): a run linked to the scan, its schedule untouched. */
export async function runScanNow(viewer: Viewer, scanId: string): Promise<RunSummary> {
  const { row, rights } = await scanRow(viewer, scanId);
  if (!canEditScan(viewer, row, rights)) throw new AppError("forbidden", "a scan runs as its creator: only they start it");
  const run = await startScanRun(row, "manual", viewer);
  await db().savedScan.update({ where: { id: row.id }, data: { lastRunAt: new Date() } });
  return run;
}

/**
 * Errors that will not go away by themselves: the scan is disabled instead of failing every minute.
 * Outside the project's authorised window is not one of them: the scan skips and stays on.
 */
function isPermanent(err: unknown): boolean {
  if (err instanceof OutsideWindowError) return false;
  return err instanceof AppError && (err.code === "not_found" || err.code === "validation" || err.code === "forbidden" || err.code === "too_large");
}

function scanError(err: unknown, now: Date): ScanError {
  // the message with every field's problem: the scan's page has no fields to show them beside
  if (err instanceof AppError) return { code: err.code, message: withFieldErrors(err.message, err.fieldErrors), at: now.toISOString() };
  console.error("[levhub] a scheduled scan could not start:", err);
  return { code: "internal", message: "the run could not be started; the error was logged", at: now.toISOString() };
}

export interface TickResult {
  /** runs started */
  started: number;
  /** firings that started nothing (their error recorded on the scan) */
  failed: number;
  /** firings outside their project's authorised window (the reason recorded on the scan, which stays on) */
  skipped: number;
  /** scans disabled because what they run is gone */
  disabled: number;
}

/**
 * Fires every due scan once: each in its own transaction that holds the scan's row (FOR NO KEY
 * UPDATE SKIP LOCKED, so hubs sharing the database never fire one scan twice, and the run's
 * foreign key to the scan does not wait for it), starts its run and moves `nextRunAt` to the first
 * time after `now` — times missed while the hub was down fire once, not once each. A firing that
 * fails records the error on the scan (and disables it when the package, function or arguments are
 * gone); it never stops the other scans.
 */
export async function fireDueScans(now: Date = new Date()): Promise<TickResult> {
  const result: TickResult = { started: 0, failed: 0, skipped: 0, disabled: 0 };
  for (let i = 0; i < MAX_FIRINGS_PER_TICK; i++) {
    const outcome = await db().$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<(ScheduledScan & FireableScan)[]>`
          SELECT "id", "ownerId", "projectId", "packageId", "versionId", "function", "args", "enabled", "cron", "timezone", "nextRunAt"
          FROM "SavedScan"
          WHERE "enabled" AND "cron" IS NOT NULL AND "nextRunAt" <= ${now}
          ORDER BY "nextRunAt"
          LIMIT 1
          FOR NO KEY UPDATE SKIP LOCKED`;
        const scan = rows[0];
        if (!scan) return null;
        const [firing] = dueScans([scan], now);
        const data: Prisma.SavedScanUncheckedUpdateInput = { lastRunAt: now };
        let kind: "started" | "failed" | "skipped" | "disabled";
        if (!firing || firing.nextRunAt === null) {
          // a stored schedule that no longer parses (cannot come from the API, which checks it)
          Object.assign(data, { enabled: false, nextRunAt: null, lastError: { code: "validation", message: firing && "error" in firing ? firing.error : "bad schedule", at: now.toISOString() } });
          kind = "disabled";
        } else {
          data.nextRunAt = firing.nextRunAt;
          try {
            await startScanRun(scan, "schedule");
            data.lastError = Prisma.DbNull;
            kind = "started";
          } catch (err) {
            const error = scanError(err, now);
            data.lastError = error as unknown as Prisma.InputJsonValue;
            kind = err instanceof OutsideWindowError ? "skipped" : isPermanent(err) ? "disabled" : "failed";
            if (kind === "disabled") data.enabled = false;
          }
        }
        await tx.savedScan.update({ where: { id: scan.id }, data });
        return { kind, scan };
      },
      { timeout: 60_000, maxWait: 10_000 },
    );
    if (!outcome) break;
    result[outcome.kind]++;
    if (outcome.kind === "disabled") await audit(null, "scan.disabled", outcome.scan.id, { reason: "its run could not start" }, { projectId: outcome.scan.projectId });
  }
  return result;
}
