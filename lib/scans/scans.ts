import "server-only";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { AppError, notFound, validation } from "../errors.ts";
import { getSettings } from "../platform/settings.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { actsAsAdmin, projectRights, type ProjectRight } from "../access/project-roles.ts";
import { readableWhere, readAccess } from "../projects/access.ts";
import { projectToRunIn } from "../projects/run-project.ts";
import type { CreateScanBody, UpdateScanBody } from "../schemas/scans.ts";
import type { Viewer } from "../types.ts";
import { canEditScan, canManageScan } from "./access.ts";
import { DEFAULT_TIMEZONE, describeCron, nextFireTime } from "./cron.ts";
import { resolveRunTarget } from "../runs/target.ts";
import { replaceScanFiles } from "../files/references.ts";
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
  project: { select: { slug: true, name: true, personal: true } },
  runs: { orderBy: { createdAt: "desc" }, take: 1, select: runSelect },
  files: { select: { file: { select: { id: true, name: true, size: true } } }, orderBy: { fileId: "asc" } },
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

/** The scan as lists and pages show it, with what the viewer may do to it (their rights in its project). */
function summary(row: ScanRow, viewer: Viewer, rights: readonly ProjectRight[]): ScanSummary {
  return {
    canManage: canManageScan(rights),
    canEdit: canEditScan(viewer, row, rights),
    id: row.id,
    name: row.name,
    owner: row.owner.username,
    project: row.project,
    package: `${row.package.namespace.name}.${row.package.name}`,
    version: row.version?.version ?? null,
    function: row.function,
    args: row.args as Record<string, unknown>,
    files: row.files.map((f) => f.file),
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

/** A scan the viewer may see, with their rights in its project. */
interface LoadedScan {
  row: ScanRow;
  rights: ProjectRight[];
  asAdmin: boolean;
}

async function loadScan(viewer: Viewer, scanId: string): Promise<LoadedScan> {
  const row = typeof scanId === "string" && scanId.length <= 64 ? await db().savedScan.findUnique({ where: { id: scanId }, include: scanInclude }) : null;
  // a scan of a project the viewer may not read is reported as missing, like such a run
  if (!row) throw notFound("scan");
  const { rights, caller } = await readAccess(viewer, row.projectId, "scan");
  // changes to a scan need the run right: recorded as an admin's when only the admin role gives it
  return { row, rights, asAdmin: actsAsAdmin(caller, "run") };
}

function duplicateName(err: unknown, name: string): never {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
    throw new AppError("conflict", `this project already has a scan named '${name}'`, { fieldErrors: { name: "already used by another scan of this project" } });
  }
  throw err;
}

/**
 * Saves a run configuration under a name, optionally on a schedule, in a project where the viewer
 * may run (their personal project unless `project` names another). Nothing is stored on any error.
 */
export async function createScan(viewer: Viewer, input: CreateScanBody): Promise<ScanSummary> {
  const project = await projectToRunIn(viewer, { slug: input.project });
  const { scansPerUser } = (await getSettings()).queue;
  const kept = await db().savedScan.count({ where: { ownerId: viewer.id } });
  if (kept >= scansPerUser) throw validation(`you keep ${kept} saved scans, the most one user may keep (${scansPerUser}, Admin → Workers); delete one first`, { name: `at most ${scansPerUser} saved scans per user` });
  // checked exactly as a run would be, against the pinned version or today's latest
  const target = await resolveRunTarget(viewer, { ref: { package: input.package, version: input.version }, function: input.function, args: input.args ?? {}, projectId: project.id });
  const cron = input.cron ?? null;
  const timezone = input.timezone ?? DEFAULT_TIMEZONE;
  const enabled = input.enabled ?? true;
  const nextRunAt = cron ? nextFireTime(cron, timezone, new Date()) : null;
  const row = await db()
    .$transaction(async (tx) => {
      const made = await tx.savedScan.create({
        data: {
          ownerId: viewer.id,
          projectId: project.id,
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
        select: { id: true },
      });
      // the files its arguments reference stay as long as the scan does
      await replaceScanFiles(tx, made.id, target.refs.file);
      return tx.savedScan.findUniqueOrThrow({ where: { id: made.id }, include: scanInclude });
    })
    .catch((err: unknown) => duplicateName(err, input.name));
  await audit(viewer.id, "scan.create", row.id, { name: row.name, package: input.package, function: target.fn.qualified, cron, ...(project.asAdmin ? { asAdmin: true } : {}) }, { projectId: project.id });
  return summary(row, viewer, ["read", "run"]);
}

/**
 * Changes the fields given. A new function, version or arguments are checked again; a new schedule
 * or time zone, and enabling, set the next time from now (re-enabling never fires for times missed
 * while paused). The project's operators and owners (and admins) may enable and disable a scan,
 * but only its creator edits it.
 */
export async function updateScan(viewer: Viewer, scanId: string, patch: UpdateScanBody): Promise<ScanSummary> {
  const { row, rights, asAdmin } = await loadScan(viewer, scanId);
  const onlyEnabled = Object.keys(patch).every((k) => k === "enabled");
  if (!(onlyEnabled ? canManageScan(rights) : canEditScan(viewer, row, rights))) {
    throw new AppError("forbidden", canManageScan(rights) ? "only its creator edits a scan; you may pause or delete it" : "viewers of this project see its scans but change none");
  }
  const data: Prisma.SavedScanUncheckedUpdateInput = {};
  /** the files its new arguments reference; undefined: the arguments stay */
  let files: string[] | undefined;
  if (patch.name !== undefined) data.name = patch.name;
  if (patch.version !== undefined || patch.function !== undefined || patch.args !== undefined) {
    const target = await resolveRunTarget(viewer, {
      ref: { package: `${row.package.namespace.name}.${row.package.name}`, version: patch.version !== undefined ? patch.version : (row.version?.version ?? null) },
      function: patch.function ?? row.function,
      args: patch.args ?? (row.args as Record<string, unknown>),
      projectId: row.projectId,
    });
    Object.assign(data, { versionId: target.pinned ? target.version.id : null, function: target.fn.qualified, args: target.args as Prisma.InputJsonValue });
    files = target.refs.file;
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
    .$transaction(async (tx) => {
      await tx.savedScan.update({ where: { id: row.id }, data, select: { id: true } });
      if (files) await replaceScanFiles(tx, row.id, files);
      return tx.savedScan.findUniqueOrThrow({ where: { id: row.id }, include: scanInclude });
    })
    .catch((err: unknown) => duplicateName(err, patch.name ?? row.name));
  await audit(viewer.id, "scan.update", row.id, { fields: Object.keys(patch), ...(asAdmin ? { asAdmin } : {}) }, { projectId: row.projectId });
  return summary(updated, viewer, rights);
}

export async function deleteScan(viewer: Viewer, scanId: string): Promise<void> {
  const { row, rights, asAdmin } = await loadScan(viewer, scanId);
  if (!canManageScan(rights)) throw new AppError("forbidden", "viewers of this project see its scans but change none");
  // its runs stay, unlinked (Run.scanId is set null by the foreign key); its references to files
  // go with it (ScanFile cascades), and the collector removes a file nothing references any more
  await db().savedScan.delete({ where: { id: row.id } });
  await audit(viewer.id, "scan.delete", row.id, { name: row.name, owner: row.owner.username, ...(asAdmin ? { asAdmin } : {}) }, { projectId: row.projectId });
}

/**
 * The scans of the projects the viewer may read (admins: every project's), by name; `project`
 * narrows to one project, `all: false` to the scans the viewer made.
 */
export async function listScans(viewer: Viewer, opts: { all?: boolean; project?: string } = {}): Promise<ScanSummary[]> {
  const where: Prisma.SavedScanWhereInput = {
    AND: [await readableWhere(viewer), opts.all === false ? { ownerId: viewer.id } : {}, opts.project ? { project: { slug: opts.project } } : {}],
  };
  const [rows, memberships] = await Promise.all([
    db().savedScan.findMany({ where, include: scanInclude, orderBy: [{ name: "asc" }, { createdAt: "asc" }], take: 500 }),
    db().projectMember.findMany({ where: { userId: viewer.id }, select: { projectId: true, role: true } }),
  ]);
  const roles = new Map(memberships.map((m) => [m.projectId, m.role]));
  return rows.map((r) => summary(r, viewer, projectRights({ role: viewer.role, member: roles.get(r.projectId) ?? null, scopes: viewer.token?.scopes })));
}

/** A scan with its history of runs (newest first, at most `limit`). 404 for a scan of a project the viewer may not read. */
export async function getScan(viewer: Viewer, scanId: string, limit = 100): Promise<ScanDetail> {
  const { row, rights } = await loadScan(viewer, scanId);
  const runs = await db().run.findMany({ where: { scanId: row.id }, orderBy: { createdAt: "desc" }, take: limit, select: runSelect });
  return { ...summary(row, viewer, rights), runs: runs.map(runView) };
}

/** Internal: the scan the viewer may read, with their rights (callers check the right they need). */
export async function scanRow(viewer: Viewer, scanId: string): Promise<LoadedScan> {
  return loadScan(viewer, scanId);
}
