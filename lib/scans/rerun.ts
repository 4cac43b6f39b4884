import "server-only";
import { db } from "../platform/db.ts";
import { notFound } from "../errors.ts";
import type { ProjectRight } from "../access/project-roles.ts";
import { requireRight } from "../projects/access.ts";
import { canViewScan } from "./access.ts";
import { parseRunRef } from "../schemas/runs.ts";
import { startRun } from "../runs/index.ts";
import type { RunSummary, Viewer } from "../types.ts";
import { sameConfiguration, type Configuration } from "./configuration.ts";
import { createScan } from "./scans.ts";
import type { RunOrigin, RunTrigger, ScanSummary } from "./types.ts";

const runSelect = {
  id: true,
  ownerId: true,
  projectId: true,
  project: { select: { slug: true } },
  versionId: true,
  function: true,
  args: true,
  createdAt: true,
  trigger: true,
  scan: { select: { id: true, name: true, ownerId: true } },
  device: { select: { name: true, ownerId: true, revokedAt: true } },
  version: { select: { packageId: true, package: { select: { name: true, latestVersionId: true, namespace: { select: { name: true } } } } } },
} as const;

/** The run `ref` names (id or number, parseRunRef), when the viewer holds `right` in its project (else not found, or forbidden for a member without it). */
async function loadRun(viewer: Viewer, ref: string, right: ProjectRight = "read") {
  const where = parseRunRef(ref);
  const row = where ? await db().run.findUnique({ where, select: runSelect }) : null;
  if (!row) throw notFound("run");
  const { rights } = await requireRight(viewer, row.projectId, right, "run");
  return { ...row, rights };
}

type RunRow = Awaited<ReturnType<typeof loadRun>>;

function configurationOf(row: Pick<RunRow, "function" | "args" | "version">): Configuration {
  const pkg = row.version.package;
  return { package: `${pkg.namespace.name}.${pkg.name}`, function: row.function, args: row.args as Record<string, unknown> };
}

/**
 * A new run of the same function with the same arguments (or `args` instead), of the same version
 * (or the package's latest with `latest`), in the same project, as the viewer: their rights of
 * today apply, so a package they no longer see is missing, a viewer of the project is refused, the
 * project's window is checked and arguments are checked again. Trigger "rerun".
 */
export async function rerun(viewer: Viewer, runId: string, opts: { latest?: boolean; args?: Record<string, unknown> } = {}): Promise<RunSummary> {
  const row = await loadRun(viewer, runId, "run");
  const ref = opts.latest ? { packageId: row.version.packageId } : { versionId: row.versionId };
  const args = opts.args ?? (row.args as Record<string, unknown>);
  // the same place when it is still the viewer's to use: an admin re-running someone's device run,
  // or a run whose device was revoked since, goes to the hub's workers
  const device = row.device && row.device.ownerId === viewer.id && !row.device.revokedAt ? row.device.name : undefined;
  return startRun(viewer, { ...ref, function: row.function, args, device }, { trigger: "rerun", projectId: row.projectId });
}

/**
 * The run before this one of the same configuration (package, function, arguments) in the same
 * project, by whichever member and whatever started it; null when there is none. "Since the
 * previous run" compares with it.
 */
export async function previousRunOf(viewer: Viewer, runId: string): Promise<string | null> {
  const row = await loadRun(viewer, runId);
  const mine = configurationOf(row);
  const candidates = await db().run.findMany({
    where: { projectId: row.projectId, function: row.function, version: { packageId: row.version.packageId }, createdAt: { lt: row.createdAt } },
    orderBy: { createdAt: "desc" },
    take: 200,
    select: runSelect,
  });
  return candidates.find((c) => sameConfiguration(mine, configurationOf(c)))?.id ?? null;
}

/** How the run was started, for its page: the trigger and the scan that started it (shown to whoever may see that scan). */
export async function runOrigin(viewer: Viewer, runId: string): Promise<RunOrigin> {
  const row = await loadRun(viewer, runId);
  // a run's scan is of the run's project: whoever reads the run reads the scan
  const scan = row.scan && canViewScan(row.rights) ? { id: row.scan.id, name: row.scan.name } : null;
  const latestId = row.version.package.latestVersionId;
  const latest = latestId && latestId !== row.versionId ? await db().packageVersion.findUnique({ where: { id: latestId }, select: { version: true } }) : null;
  return { trigger: row.trigger as RunTrigger, scan, newerVersion: latest?.version ?? null };
}

/**
 * "Save as scan" on a run page: the run's package, function and arguments under a name, in the
 * run's project, following the package's latest version unless `pinVersion` keeps the run's.
 */
export async function saveRunAsScan(
  viewer: Viewer,
  input: { runId: string; name: string; cron?: string | null; timezone?: string; pinVersion?: boolean },
): Promise<ScanSummary> {
  const row = await loadRun(viewer, input.runId);
  const conf = configurationOf(row);
  const version = input.pinVersion ? (await db().packageVersion.findUniqueOrThrow({ where: { id: row.versionId }, select: { version: true } })).version : null;
  return createScan(viewer, { name: input.name, project: row.project.slug, package: conf.package, version, function: conf.function, args: conf.args, cron: input.cron ?? null, timezone: input.timezone });
}
