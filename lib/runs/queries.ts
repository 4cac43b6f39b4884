import "server-only";
import { secretNames } from "../secrets/bind.ts";
import { findFunction, type Manifest } from "../../runner/src/index.ts";
import { db } from "../platform/db.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { ProjectRight } from "../access/project-roles.ts";
import { readableWhere } from "../projects/access.ts";
import { getResultStore } from "../results/results-store.ts";
import type { DeviceWait, HubRunError, LogLineView, RunDetail, RunDocument, RunStatus, RunSummary, Viewer } from "../types.ts";
import { deviceState } from "../devices/devices.ts";
import { queueWaitText } from "../devices/placement.ts";
import { filesOfRun } from "../files/uploads.ts";
import { getSettings } from "../platform/settings.ts";
import { waitText } from "../queue/janitor-decision.ts";
import { isTerminal } from "../../runner/src/status.ts";
import { storedScopeReport } from "./scope-report.ts";
import { compiledEntries, compiledScopeSchema, type Scope } from "../../runner/src/scope/rules.ts";
import { loadRun, queuePositions, runInclude, summaries, summary, taskView, type RunRow } from "./projection.ts";

export interface RunFilters {
  status?: RunStatus;
  /** `ns.name`, or part of it */
  package?: string;
  function?: string;
  /** one project, by slug (within what the viewer may read) */
  project?: string;
  page?: number;
  pageSize?: number;
  /** false: only runs the viewer started, in the projects they may read */
  all?: boolean;
}

/**
 * The runs of the projects the viewer may read, newest first (admins: every project's), or only
 * those they started with `all: false`.
 */
export async function listRuns(viewer: Viewer, filters: RunFilters = {}): Promise<{ items: RunSummary[]; total: number; page: number; pageSize: number }> {
  const page = Math.max(1, Math.floor(filters.page ?? 1));
  const pageSize = Math.min(100, Math.max(1, Math.floor(filters.pageSize ?? 25)));
  // the viewer's scope first; every filter after it only narrows
  const and: Prisma.RunWhereInput[] = [await readableWhere(viewer)];
  if (filters.all === false) and.push({ ownerId: viewer.id });
  if (filters.project) and.push({ project: { slug: filters.project } });
  if (filters.status) and.push({ status: filters.status });
  if (filters.function) and.push({ function: { contains: filters.function, mode: "insensitive" } });
  if (filters.package) {
    const [a, b] = filters.package.split(".", 2);
    and.push(
      b !== undefined
        ? { version: { package: { namespace: { name: a }, name: { startsWith: b } } } }
        : { version: { package: { OR: [{ name: { contains: a, mode: "insensitive" } }, { namespace: { name: { contains: a, mode: "insensitive" } } }] } } },
    );
  }
  const where: Prisma.RunWhereInput = { AND: and };
  const [rows, total] = await Promise.all([
    db().run.findMany({ where, include: runInclude, orderBy: { createdAt: "desc" }, skip: (page - 1) * pageSize, take: pageSize }),
    db().run.count({ where }),
  ]);
  return { items: await summaries(rows), total, page, pageSize };
}

/** The runs of one package in the projects the viewer may read (the package page's history tab). */
export async function runsForPackage(viewer: Viewer | null, packageId: string, limit = 50): Promise<RunSummary[]> {
  if (!viewer) return [];
  const rows = await db().run.findMany({
    where: { ...(await readableWhere(viewer)), version: { packageId } },
    include: runInclude,
    orderBy: { createdAt: "desc" },
    take: limit,
  });
  return summaries(rows);
}

const LOG_PAGE = 5000;

export async function runDetail(row: RunRow, rights: readonly ProjectRight[]): Promise<RunDetail> {
  const logs = await db().runLog.findMany({ where: { runId: row.id }, orderBy: { seq: "desc" }, take: LOG_PAGE });
  const version = await db().packageVersion.findUnique({ where: { id: row.versionId }, select: { manifest: true } });
  const fn = version ? (findFunction(version.manifest as unknown as Manifest, row.function) ?? null) : null;
  const pos = await queuePositions([row]);
  return {
    ...summary(row, pos.get(row.id) ?? null),
    args: row.args as Record<string, unknown>,
    secretNames: await secretNames(row.args as Record<string, unknown>),
    error: (row.error as unknown as HubRunError | null) ?? null,
    exitCode: row.exitCode,
    collections: row.collections,
    tasks: row.tasks.map(taskView),
    logs: logs.reverse().map((l) => ({ seq: l.seq, task: l.task, stream: l.stream as LogLineView["stream"], line: l.line, at: l.at.toISOString() })),
    fn,
    files: await filesOfRun(row.id),
    canCancel: rights.includes("run") && !isTerminal(row.status),
    canRun: rights.includes("run"),
    deviceWait: await deviceWaitOf(row),
    waitsFor: row.status === "queued" ? queueWaitText(row.queue) : null,
    scope: carriedScope(row.policy),
    scopeReport: storedScopeReport(row.scopeReport),
  };
}

/** The scope a run's policy carried (as entry texts), null when it carried none or it does not read as one. */
export function carriedScope(policy: unknown): Scope | null {
  const raw = policy && typeof policy === "object" && "scope" in policy ? (policy as { scope: unknown }).scope : undefined;
  const parsed = raw === undefined ? null : compiledScopeSchema.safeParse(raw);
  return parsed?.success ? compiledEntries(parsed.data) : null;
}

/** For a run queued for a device: how the device is now and when the run stops waiting for it. */
async function deviceWaitOf(row: RunRow): Promise<DeviceWait | null> {
  if (row.status !== "queued" || !row.deviceId) return null;
  const [device, settings] = await Promise.all([deviceState(row.deviceId), getSettings()]);
  if (!device) return null;
  const minutes = settings.queue.deviceWaitMinutes;
  const since = row.queuedAt ?? row.createdAt;
  return { device: device.name, state: device.state, lastSeenAt: device.lastSeenAt, wait: waitText(minutes), endsAt: new Date(since.getTime() + minutes * 60_000).toISOString() };
}

/** A run (by id or number) with its tasks and (the last 5 000) log lines. 404 for runs of projects the viewer may not read. */
export async function getRun(viewer: Viewer, ref: string): Promise<RunDetail> {
  const { row, rights } = await loadRun(viewer, ref);
  return runDetail(row, rights);
}

/** The documents the run stored: every collection it wrote, `_id: {job, task}` with job = run number. */
export async function runDocuments(viewer: Viewer, ref: string): Promise<RunDocument[]> {
  const { row } = await loadRun(viewer, ref);
  const colls = [...new Set([...row.collections, ...row.tasks.filter((t) => t.stored).map((t) => t.coll)])];
  if (!colls.length) return [];
  const store = await getResultStore();
  const out: RunDocument[] = [];
  for (const coll of colls.sort()) {
    for (const doc of await store.findRun(coll, row.number)) {
      const id = doc._id as { task?: number } | undefined;
      out.push({ coll, task: typeof id?.task === "number" ? id.task : 0, doc });
    }
  }
  return out.sort((a, b) => a.task - b.task || a.coll.localeCompare(b.coll));
}
