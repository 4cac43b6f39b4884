import "server-only";
import {
  AsyncQueue,
  findFunction,
  instanceAlive,
  LABEL,
  ParamValidationError,
  reap,
  StoreError,
  validateArgs,
  type Manifest,
  type RunError,
} from "../runner/src/index.ts";
import { audit } from "./audit.ts";
import { db } from "./db.ts";
import { getEngine } from "./engine.ts";
import { AppError, notFound, validation } from "./errors.ts";
import type { Prisma } from "./generated/prisma/client.ts";
import { getHubRunner } from "./hub-runner.ts";
import { attach, live } from "./run-live.ts";
import { canCancelRun, canViewPackage, canViewRun, isAdmin } from "./permissions.ts";
import { oversizedArgs } from "./run-policy.ts";
import { versionClosure } from "./packages/dependency-load.ts";
import { loadRunPolicy } from "./run-policy-load.ts";
import { getSettings } from "./settings.ts";
import type { HubRunError, LogLineView, RunDetail, RunDocument, RunStatus, RunStreamEvent, RunSummary, TaskView, Viewer } from "./types.ts";

export { MAX_LOG_ROWS } from "./run-live.ts";
export const HUB_STOPPED = "the hub stopped while this run was running";
const TERMINAL: RunStatus[] = ["succeeded", "failed", "cancelled", "timed_out"];


const runInclude = {
  owner: { select: { username: true } },
  version: { select: { version: true, package: { select: { name: true, namespace: { select: { name: true } } } } } },
  tasks: { orderBy: { number: "asc" } },
} satisfies Prisma.RunInclude;
type RunRow = Prisma.RunGetPayload<{ include: typeof runInclude }>;

function summary(row: RunRow): RunSummary {
  const start = row.startedAt ?? row.createdAt;
  return {
    id: row.id,
    number: row.number,
    status: row.status === "queued" && live().get(row.id)?.started ? "running" : row.status,
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
  };
}

function taskView(t: RunRow["tasks"][number]): TaskView {
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

async function loadRun(viewer: Viewer | null, runId: string): Promise<RunRow> {
  const row = typeof runId === "string" && runId.length <= 64 ? await db().run.findUnique({ where: { id: runId }, include: runInclude }) : null;
  // someone else's run is reported as missing: its existence is not the viewer's business
  if (!row || !canViewRun(viewer, row)) throw notFound("run");
  return row;
}

// ------------------------------------------------------------------ the API

/**
 * Validates the arguments against the function's parameters (every field error at once; nothing
 * starts on error), records the run with the policy it gets (grants, images, limits) and starts
 * it. Returns at once; the run goes on in the runner.
 */
export async function startRun(viewer: Viewer, input: { versionId: string; function: string; args: Record<string, unknown> }): Promise<RunSummary> {
  const settings = await getSettings();
  const rawArgs = input.args ?? {};
  if (typeof rawArgs !== "object" || Array.isArray(rawArgs)) throw validation("args must be an object of parameter values", { args: "expected an object" });
  // before any lookup or parse of the values: a huge argument costs nothing but this measurement
  const oversized = oversizedArgs(rawArgs, settings.args);
  if (Object.keys(oversized).length) {
    const names = Object.keys(oversized).filter((k) => k !== "_");
    throw new AppError("too_large", names.length ? `argument ${names.join(", ")} is too large` : Object.values(oversized)[0], { fieldErrors: oversized });
  }
  const version = await db().packageVersion.findUnique({
    where: { id: input.versionId },
    include: { package: { include: { namespace: true } } },
  });
  if (!version || !canViewPackage(viewer, version.package)) throw notFound("package version");
  const manifest = version.manifest as unknown as Manifest;
  const fn = findFunction(manifest, input.function);
  if (!fn) throw validation(`${version.package.namespace.name}.${version.package.name} has no function '${input.function}'`, { function: "unknown function" });
  let args: Record<string, unknown>;
  try {
    args = validateArgs(fn, rawArgs);
  } catch (err) {
    if (err instanceof ParamValidationError) throw validation("check the highlighted fields", err.errors);
    throw err;
  }
  const full = `${version.package.namespace.name}.${version.package.name}`;
  const closure = await versionClosure(version.id);
  // a dependency turned private since: its code runs for nobody who may not see it
  const hidden = closure.filter((m) => !canViewPackage(viewer, { private: m.private, namespace: { ownerId: m.ownerId } }));
  if (hidden.length) {
    throw validation(`${full} ${version.version} depends on ${hidden.map((m) => `lev.${m.namespace}.${m.name}`).join(", ")}, which is not available`);
  }
  const policy = await loadRunPolicy(viewer, version, settings, closure);
  const hub = await getHubRunner().catch((err: unknown) => {
    if (err instanceof StoreError) {
      console.error("[levhub] results store:", err);
      throw new AppError("internal", "the results database (MongoDB) does not answer, so no run was started; try again later");
    }
    throw err;
  });
  // job numbers come from the results store, so documents of different hubs sharing it never collide
  const number = await hub.store.nextJob();
  const row = await db().run.create({
    data: {
      number,
      ownerId: viewer.id,
      versionId: version.id,
      function: fn.qualified,
      args: args as Prisma.InputJsonValue,
      status: "queued",
      runnerInstance: hub.runner.instance,
      policy: policy as unknown as Prisma.InputJsonValue,
    },
  });
  try {
    const run = hub.runner.start({
      packageDir: version.dir,
      function: fn.qualified,
      args,
      job: number,
      owner: viewer.username,
      runId: row.id,
      policy,
      dependencies: closure.map((m) => ({ namespace: m.namespace, name: m.name, version: m.version, dir: m.dir })),
    });
    attach(row.id, run);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await db().run.update({
      where: { id: row.id },
      data: { status: "failed", error: { type: "RunnerError", message }, endedAt: new Date() },
    });
  }
  await audit(viewer.id, "run.start", row.id, {
    package: full,
    version: version.version,
    function: fn.qualified,
    hostNetwork: policy.hostNetwork,
    caps: policy.caps,
  });
  return summary(await db().run.findUniqueOrThrow({ where: { id: row.id }, include: runInclude }));
}

function parsePackageName(full: string): { ns: string; name: string } {
  const m = /^([A-Za-z_]\w*)\.([A-Za-z_]\w*)$/.exec(full ?? "");
  if (!m) throw validation("package must look like <namespace>.<name>", { package: "expected <namespace>.<name>" });
  return { ns: m[1], name: m[2] };
}

/** The CLI's form: `{ package: "ns.name", version?, function, args }` (latest version by default). */
export async function startRunByName(
  viewer: Viewer,
  input: { package: string; version?: string; function: string; args: Record<string, unknown> },
): Promise<RunSummary> {
  const { ns, name } = parsePackageName(input.package);
  const pkg = await db().package.findFirst({
    where: { name, namespace: { name: ns } },
    include: { namespace: true, versions: { select: { id: true, version: true } } },
  });
  if (!pkg || !canViewPackage(viewer, pkg)) throw notFound(`package ${input.package}`);
  const versionId = input.version ? pkg.versions.find((v) => v.version === input.version)?.id : pkg.latestVersionId;
  if (!versionId) throw notFound(`version ${input.version} of ${input.package}`);
  return startRun(viewer, { versionId, function: input.function, args: input.args });
}

/** Stops every container of the run; resolves once the run's final state is recorded. Idempotent. */
export async function cancelRun(viewer: Viewer, runId: string): Promise<void> {
  const row = await loadRun(viewer, runId);
  if (!canCancelRun(viewer, row)) throw notFound("run");
  if (TERMINAL.includes(row.status)) return;
  const hub = await getHubRunner();
  const active = hub.runner.get(runId);
  if (active) {
    const entry = live().get(runId);
    await active.cancel(`cancelled by ${viewer.username}`);
    await entry?.done;
  } else {
    // not running in this process (its runner is gone): end it here
    await endOrphan(runId, "cancelled", { type: "Cancelled", message: `cancelled by ${viewer.username}` });
  }
  await audit(viewer.id, "run.cancel", runId);
}

async function endOrphan(runId: string, status: "failed" | "cancelled", error: HubRunError) {
  const now = new Date();
  await db().$transaction([
    db().run.updateMany({ where: { id: runId, status: { in: ["queued", "running"] } }, data: { status, error: error as unknown as Prisma.InputJsonValue, endedAt: now } }),
    db().task.updateMany({ where: { runId, endedAt: null }, data: { status: "cancelled", endedAt: now } }),
  ]);
}

export interface RunFilters {
  status?: RunStatus;
  /** `ns.name`, or part of it */
  package?: string;
  function?: string;
  page?: number;
  pageSize?: number;
  /** admins: false to see only their own runs */
  all?: boolean;
}

/** The viewer's runs, newest first (admins: everyone's unless `all: false`). */
export async function listRuns(viewer: Viewer, filters: RunFilters = {}): Promise<{ items: RunSummary[]; total: number; page: number; pageSize: number }> {
  const page = Math.max(1, Math.floor(filters.page ?? 1));
  const pageSize = Math.min(100, Math.max(1, Math.floor(filters.pageSize ?? 25)));
  const and: Prisma.RunWhereInput[] = [];
  if (!isAdmin(viewer) || filters.all === false) and.push({ ownerId: viewer.id });
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
  return { items: rows.map(summary), total, page, pageSize };
}

/** The viewer's runs of one package (the package page's history tab). */
export async function runsForPackage(viewer: Viewer | null, packageId: string, limit = 50): Promise<RunSummary[]> {
  if (!viewer) return [];
  const rows = await db().run.findMany({
    where: { ownerId: viewer.id, version: { packageId } },
    include: runInclude,
    orderBy: { createdAt: "desc" },
    take: limit,
  });
  return rows.map(summary);
}

const LOG_PAGE = 5000;

/** A run with its tasks and (the last 5 000) log lines. 404 for runs the viewer may not see. */
export async function getRun(viewer: Viewer, runId: string): Promise<RunDetail> {
  const row = await loadRun(viewer, runId);
  const logs = await db().runLog.findMany({ where: { runId }, orderBy: { seq: "desc" }, take: LOG_PAGE });
  const version = await db().packageVersion.findUnique({ where: { id: row.versionId }, select: { manifest: true } });
  const fn = version ? (findFunction(version.manifest as unknown as Manifest, row.function) ?? null) : null;
  return {
    ...summary(row),
    args: row.args as Record<string, unknown>,
    error: (row.error as unknown as HubRunError | null) ?? null,
    exitCode: row.exitCode,
    collections: row.collections,
    tasks: row.tasks.map(taskView),
    logs: logs.reverse().map((l) => ({ seq: l.seq, task: l.task, stream: l.stream as LogLineView["stream"], line: l.line, at: l.at.toISOString() })),
    fn,
    canCancel: canCancelRun(viewer, row) && !TERMINAL.includes(row.status),
  };
}

/** The documents the run stored: every collection it wrote, `_id: {job, task}` with job = run number. */
export async function runDocuments(viewer: Viewer, runId: string): Promise<RunDocument[]> {
  const row = await loadRun(viewer, runId);
  const colls = [...new Set([...row.collections, ...row.tasks.filter((t) => t.stored).map((t) => t.coll), ...(live().get(runId)?.collections ?? [])])];
  if (!colls.length) return [];
  const { store } = await getHubRunner();
  const out: RunDocument[] = [];
  for (const coll of colls.sort()) {
    for (const doc of await store.findRun(coll, row.number)) {
      const id = doc._id as { task?: number } | undefined;
      out.push({ coll, task: typeof id?.task === "number" ? id.task : 0, doc });
    }
  }
  return out.sort((a, b) => a.task - b.task || a.coll.localeCompare(b.coll));
}

/**
 * The run page's live stream: a snapshot of the stored state, then the runner's events as they
 * happen (log lines already in the snapshot are skipped), then `end`. Ends when `signal` aborts.
 */
export async function* runEvents(viewer: Viewer, runId: string, signal: AbortSignal): AsyncGenerator<RunStreamEvent> {
  await loadRun(viewer, runId);
  const entry = live().get(runId);
  // subscribe before the snapshot is read, so nothing that happens in between is missed
  const queue = new AsyncQueue<RunStreamEvent>(signal);
  const listener = (ev: RunStreamEvent) => queue.push(ev);
  entry?.emitter.on("event", listener);
  try {
    const snapshot = await getRun(viewer, runId);
    yield { type: "snapshot", run: snapshot };
    if (!entry || TERMINAL.includes(snapshot.status)) {
      yield { type: "end", status: snapshot.status };
      return;
    }
    const lastSeq = snapshot.logs.at(-1)?.seq ?? 0;
    for await (const ev of queue) {
      if (ev.type === "log" && ev.log.seq <= lastSeq) continue;
      yield ev;
      if (ev.type === "end") return;
    }
  } finally {
    entry?.emitter.off("event", listener);
  }
}

/** Waits until a run of this process has ended and its final state is recorded (tests, the CLI's --wait). */
export async function waitForRun(viewer: Viewer, runId: string): Promise<RunDetail> {
  await loadRun(viewer, runId);
  await live().get(runId)?.done;
  return getRun(viewer, runId);
}

/**
 * Ends runs left `queued`/`running` by a hub process that is gone (crash, restart) with a clear
 * error, and removes their leftover containers and networks. Runs of live runners are untouched.
 */
export async function recoverInterruptedRuns(): Promise<number> {
  const rows = await db().run.findMany({ where: { status: { in: ["queued", "running"] } }, select: { id: true, runnerInstance: true } });
  const stale = rows.filter((r) => !live().has(r.id) && !instanceAlive(r.runnerInstance ?? undefined));
  for (const r of stale) await endOrphan(r.id, "failed", { type: "HubStopped", message: HUB_STOPPED });
  try {
    await reap(getEngine(), (labels) => instanceAlive(labels[LABEL.instance]));
  } catch (err) {
    console.error("[levhub] could not remove leftover containers:", err instanceof Error ? err.message : err);
  }
  return stale.length;
}

export function isTerminal(status: RunStatus): boolean {
  return TERMINAL.includes(status);
}

