import "server-only";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { AppError, notFound, validation } from "../errors.ts";
import { getSettings } from "../platform/settings.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { isAdmin } from "../access/permissions.ts";
import type { CreateScanBody, UpdateScanBody } from "../schemas/scans.ts";
import type { Viewer } from "../types.ts";
import { canEditScan, canManageScan, canViewScan } from "./access.ts";
import { DEFAULT_TIMEZONE, describeCron, nextFireTime } from "./cron.ts";
import { resolveRunTarget } from "../runs/target.ts";
import type { RunTrigger, ScanDetail, ScanError, ScanRunView, ScanSummary } from "./types.ts";

const runSelect = {
  id: true,
  number: true,
  status: true,
  trigger: true,
  createdAt: true,
  endedAt: true,
  version: { select: { version: true } },
} satisfies Prisma.RunSelect;
type RunRow = Prisma.RunGetPayload<{ select: typeof runSelect }>;

export const scanInclude = {
  owner: { select: { username: true } },
  package: { select: { name: true, private: true, namespace: { select: { name: true, ownerId: true } } } },
  version: { select: { version: true } },
  runs: { orderBy: { createdAt: "desc" }, take: 1, select: runSelect },
} satisfies Prisma.SavedScanInclude;
type ScanRow = Prisma.SavedScanGetPayload<{ include: typeof scanInclude }>;

export function runView(r: RunRow): ScanRunView {
  return {
    id: r.id,
    number: r.number,
    status: r.status,
    trigger: r.trigger as RunTrigger,
    packageVersion: r.version.version,
    createdAt: r.createdAt.toISOString(),
    endedAt: r.endedAt?.toISOString() ?? null,
  };
}

function summary(row: ScanRow): ScanSummary {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner.username,
    package: `${row.package.namespace.name}.${row.package.name}`,
    version: row.version?.version ?? null,
    function: row.function,
    args: row.args as Record<string, unknown>,
    cron: row.cron,
    timezone: row.timezone,
    schedule: row.cron ? describeCron(row.cron) : null,
    enabled: row.enabled,
    nextRunAt: row.enabled ? (row.nextRunAt?.toISOString() ?? null) : null,
    lastRunAt: row.lastRunAt?.toISOString() ?? null,
    lastError: (row.lastError as unknown as ScanError | null) ?? null,
    lastRun: row.runs[0] ? runView(row.runs[0]) : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function loadScan(viewer: Viewer, scanId: string): Promise<ScanRow> {
  const row = typeof scanId === "string" && scanId.length <= 64 ? await db().savedScan.findUnique({ where: { id: scanId }, include: scanInclude }) : null;
  // someone else's scan is reported as missing, like someone else's run
  if (!row || !canViewScan(viewer, row)) throw notFound("scan");
  return row;
}

function duplicateName(err: unknown, name: string): never {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
    throw new AppError("conflict", `you already have a scan named '${name}'`, { fieldErrors: { name: "already used by another of your scans" } });
  }
  throw err;
}

/** Saves a run configuration under a name, optionally on a schedule. Nothing is stored on any error. */
export async function createScan(viewer: Viewer, input: CreateScanBody): Promise<ScanSummary> {
  const { scansPerUser } = (await getSettings()).queue;
  const kept = await db().savedScan.count({ where: { ownerId: viewer.id } });
  if (kept >= scansPerUser) throw validation(`you keep ${kept} saved scans, the most one user may keep (${scansPerUser}, Admin → Workers); delete one first`, { name: `at most ${scansPerUser} saved scans per user` });
  // checked exactly as a run would be, against the pinned version or today's latest
  const target = await resolveRunTarget(viewer, { ref: { package: input.package, version: input.version }, function: input.function, args: input.args ?? {} });
  const cron = input.cron ?? null;
  const timezone = input.timezone ?? DEFAULT_TIMEZONE;
  const enabled = input.enabled ?? true;
  const nextRunAt = cron ? nextFireTime(cron, timezone, new Date()) : null;
  const row = await db()
    .savedScan.create({
      data: {
        ownerId: viewer.id,
        name: input.name,
        packageId: target.version.packageId,
        versionId: target.pinned ? target.version.id : null,
        function: target.fn.qualified,
        args: target.args as Prisma.InputJsonValue,
        cron,
        timezone,
        enabled,
        nextRunAt,
      },
      include: scanInclude,
    })
    .catch((err: unknown) => duplicateName(err, input.name));
  await audit(viewer.id, "scan.create", row.id, { name: row.name, package: input.package, function: target.fn.qualified, cron });
  return summary(row);
}

/**
 * Changes the fields given. A new function, version or arguments are checked again; a new schedule
 * or time zone, and enabling, set the next time from now (re-enabling never fires for times missed
 * while paused). Admins may enable, disable and delete anyone's scan, but only its owner edits it.
 */
export async function updateScan(viewer: Viewer, scanId: string, patch: UpdateScanBody): Promise<ScanSummary> {
  const row = await loadScan(viewer, scanId);
  const onlyEnabled = Object.keys(patch).every((k) => k === "enabled");
  if (!(onlyEnabled ? canManageScan(viewer, row) : canEditScan(viewer, row))) throw new AppError("forbidden", "only its owner edits a scan; admins may pause or delete it");
  const data: Prisma.SavedScanUncheckedUpdateInput = {};
  if (patch.name !== undefined) data.name = patch.name;
  if (patch.version !== undefined || patch.function !== undefined || patch.args !== undefined) {
    const target = await resolveRunTarget(viewer, {
      ref: { package: `${row.package.namespace.name}.${row.package.name}`, version: patch.version !== undefined ? patch.version : (row.version?.version ?? null) },
      function: patch.function ?? row.function,
      args: patch.args ?? (row.args as Record<string, unknown>),
    });
    Object.assign(data, { versionId: target.pinned ? target.version.id : null, function: target.fn.qualified, args: target.args as Prisma.InputJsonValue });
  }
  const cron = patch.cron !== undefined ? patch.cron : row.cron;
  const timezone = patch.timezone ?? row.timezone;
  const enabled = patch.enabled ?? row.enabled;
  if (patch.cron !== undefined || patch.timezone !== undefined || (patch.enabled === true && !row.enabled)) {
    Object.assign(data, { cron, timezone, nextRunAt: cron ? nextFireTime(cron, timezone, new Date()) : null });
  }
  if (patch.enabled !== undefined) {
    data.enabled = enabled;
    if (enabled) data.lastError = Prisma.DbNull;
  }
  const updated = await db()
    .savedScan.update({ where: { id: row.id }, data, include: scanInclude })
    .catch((err: unknown) => duplicateName(err, patch.name ?? row.name));
  await audit(viewer.id, "scan.update", row.id, { fields: Object.keys(patch) });
  return summary(updated);
}

export async function deleteScan(viewer: Viewer, scanId: string): Promise<void> {
  const row = await loadScan(viewer, scanId);
  if (!canManageScan(viewer, row)) throw notFound("scan");
  // its runs stay, unlinked (Run.scanId is set null by the foreign key)
  await db().savedScan.delete({ where: { id: row.id } });
  await audit(viewer.id, "scan.delete", row.id, { name: row.name, owner: row.owner.username });
}

/** The viewer's scans by name (admins: everyone's unless `all: false`). */
export async function listScans(viewer: Viewer, opts: { all?: boolean } = {}): Promise<ScanSummary[]> {
  const where: Prisma.SavedScanWhereInput = isAdmin(viewer) && opts.all !== false ? {} : { ownerId: viewer.id };
  const rows = await db().savedScan.findMany({ where, include: scanInclude, orderBy: [{ name: "asc" }, { createdAt: "asc" }], take: 500 });
  return rows.map(summary);
}

/** A scan with its history of runs (newest first, at most `limit`). 404 for someone else's. */
export async function getScan(viewer: Viewer, scanId: string, limit = 100): Promise<ScanDetail> {
  const row = await loadScan(viewer, scanId);
  const runs = await db().run.findMany({ where: { scanId: row.id }, orderBy: { createdAt: "desc" }, take: limit, select: runSelect });
  return { ...summary(row), runs: runs.map(runView) };
}

/** Internal: the scan row for firing it (no viewer check; callers check). */
export async function scanRow(viewer: Viewer, scanId: string): Promise<ScanRow> {
  return loadScan(viewer, scanId);
}
