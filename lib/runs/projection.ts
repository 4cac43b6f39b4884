import "server-only";
import type { RunError } from "../../runner/src/index.ts";
import { db } from "../platform/db.ts";
import { notFound } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { ProjectRight } from "../access/project-roles.ts";
import { requireRight } from "../projects/access.ts";
import type { RunStatus, RunSummary, TaskView, Viewer } from "../types.ts";
import { parseRunRef } from "../schemas/runs.ts";

/** How runs are shown: the row with what a summary needs, and the DTOs made from it. */

export const runInclude = {
  owner: { select: { username: true } },
  version: { select: { version: true, package: { select: { name: true, namespace: { select: { name: true } } } } } },
  tasks: { orderBy: { number: "asc" } },
  worker: { select: { name: true } },
  device: { select: { name: true } },
  project: { select: { slug: true, name: true, personal: true } },
} satisfies Prisma.RunInclude;
export type RunRow = Prisma.RunGetPayload<{ include: typeof runInclude }>;

export function summary(row: RunRow, queuePosition: number | null = null): RunSummary {
  const start = row.startedAt ?? row.createdAt;
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    package: `${row.version.package.namespace.name}.${row.version.package.name}`,
    packageVersion: row.version.version,
    versionId: row.versionId,
    function: row.function,
    owner: row.owner.username,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    endedAt: row.endedAt?.toISOString() ?? null,
    durationMs: row.endedAt ? row.endedAt.getTime() - start.getTime() : null,
    progress: { started: row.tasks.length, finished: row.tasks.filter((t) => t.endedAt).length },
    queuePosition: row.status === "queued" ? queuePosition : null,
    worker: row.worker?.name ?? null,
    device: row.device?.name ?? null,
    project: { slug: row.project.slug, name: row.project.name, personal: row.project.personal },
  };
}

/**
 * The place in line of queued runs: the queued runs of the same queue submitted before it, plus
 * one (ties by id). One query for a whole page.
 */
export async function queuePositions(rows: { id: string; status: RunStatus }[]): Promise<Map<string, number>> {
  const ids = rows.filter((r) => r.status === "queued").map((r) => r.id);
  if (!ids.length) return new Map();
  const found = await db().$queryRaw<{ id: string; pos: bigint }[]>`
    SELECT r.id, (SELECT count(*) FROM "Run" q
                   WHERE q.status = 'queued' AND q.queue = r.queue
                     AND (q."queuedAt", q.id) < (r."queuedAt", r.id)) + 1 AS pos
      FROM "Run" r WHERE r.id = ANY(${ids}) AND r.status = 'queued'`;
  return new Map(found.map((f) => [f.id, Number(f.pos)]));
}

export async function summaries(rows: RunRow[]): Promise<RunSummary[]> {
  const pos = await queuePositions(rows);
  return rows.map((r) => summary(r, pos.get(r.id) ?? null));
}

export function taskView(t: RunRow["tasks"][number]): TaskView {
  return {
    number: t.number,
    image: t.image,
    resolvedImage: t.resolvedImage,
    coll: t.coll,
    status: t.status,
    exitCode: t.exitCode,
    error: (t.error as unknown as RunError | null) ?? null,
    stored: t.stored,
    startedAt: t.startedAt.toISOString(),
    endedAt: t.endedAt?.toISOString() ?? null,
  };
}

/** A run the viewer may see, with what they may do to it (their rights in its project). */
export interface LoadedRun {
  row: RunRow;
  rights: ProjectRight[];
  /** the right asked for comes from the viewer being an admin, not a member */
  asAdmin: boolean;
}

/**
 * The run `ref` names (its id, or its number as `12` / `#12`: parseRunRef), when the viewer holds
 * `right` in its project. Every way to name a run from outside goes through here: a run of a
 * project they may not read is not found whichever way it was named (its existence is not their
 * business); one they may read but not act on is forbidden.
 */
export async function loadRun(viewer: Viewer | null, ref: string, right: ProjectRight = "read"): Promise<LoadedRun> {
  const where = viewer ? parseRunRef(ref) : null;
  const row = where ? await db().run.findUnique({ where, include: runInclude }) : null;
  if (!row || !viewer) throw notFound("run");
  const granted = await requireRight(viewer, row.projectId, right, "run");
  return { row, ...granted };
}

/** The id of the run `ref` names (its id or number), through loadRun's check. */
export async function runIdOf(viewer: Viewer, ref: string): Promise<string> {
  return (await loadRun(viewer, ref)).row.id;
}
