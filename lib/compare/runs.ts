import "server-only";
import type { Manifest } from "../../runner/src/index.ts";
import { db } from "../platform/db.ts";
import { notFound, validation } from "../errors.ts";
import { listDocuments, runDocumentsPage } from "../results/documents.ts";
import { resultsQuery } from "../results/pg.ts";
import { getRun } from "../runs/index.ts";
import type { RunStatus, RunSummary, Viewer } from "../types.ts";
import { COMPARE_LIMITS, compareRuns, type CompareLimits, type RunsDiff, type SideDocument } from "./collections.ts";
import { ignoreProblems } from "./ignore.ts";
import { keyPathProblems, type SchemaKeys } from "./key-paths.ts";
import { assetChangesBetween, type AssetChanges } from "../findings/changes.ts";

/** The fields a comparison left out: those asked for, or the ones the package declares (all its schemas'). */
export interface IgnoredFields {
  fields: string[];
  /** true: asked for (`ignore=`), replacing the package's; false: the package's */
  chosen: boolean;
}

export interface RunComparison {
  a: RunSummary & { args: Record<string, unknown> };
  b: RunSummary & { args: Record<string, unknown> };
  diff: RunsDiff;
  ignore: IgnoredFields;
  /** assets and findings new and gone between the two runs (what each run saw), beside the field-level diff */
  assets: AssetChanges;
}

/** Documents read per page from the results index. */
const PAGE = 200;

export interface RunDocumentsForCompare {
  docs: SideDocument[];
  /** documents per collection of the run; collections over `cap` are counted, not read */
  counts: Record<string, number>;
}

/**
 * The documents of a run for a comparison, from the results index (ResultDocument by runId):
 * collection by collection, only those with at most `cap` documents, so a huge run costs one
 * count query, never its documents in memory. Someone else's run is not found.
 */
export async function runDocumentsForCompare(viewer: Viewer, runId: string, cap: number = COMPARE_LIMITS.documents): Promise<RunDocumentsForCompare> {
  await runDocumentsPage(viewer, runId, { limit: 1 });
  const rows = await resultsQuery<{ coll: string; n: string }>(`SELECT "coll", count(*)::text AS "n" FROM "ResultDocument" WHERE "runId" = $1 GROUP BY "coll"`, [runId]);
  const counts = Object.fromEntries(rows.map((r) => [r.coll, Number(r.n)]));
  const docs: SideDocument[] = [];
  for (const coll of Object.keys(counts).sort()) {
    if (counts[coll] > cap) continue;
    let after: string | undefined;
    do {
      const page = await listDocuments(viewer, { run: runId, coll }, { after, limit: PAGE });
      for (const item of page.items) docs.push({ coll, doc: (item.doc ?? {}) as Record<string, unknown> });
      after = page.next ?? undefined;
    } while (after);
  }
  return { docs, counts };
}

/** Arguments as text with object keys sorted and list order kept: the same arguments, the same text. */
export function argsKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(argsKey).join(",")}]`;
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${argsKey(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** How many earlier runs are looked at for one with the same arguments. */
const PREVIOUS_WINDOW = 200;

/**
 * The previous run of the same function with the same arguments: the latest run of the same
 * project (whichever member started it), package (any version) and function, with equal
 * arguments, created before this one and ended. Null when there is none. 404 for a run the viewer
 * may not see.
 */
export async function previousRunId(viewer: Viewer, ref: string): Promise<string | null> {
  const runId = (await getRun(viewer, ref)).id;
  const run = await db().run.findUnique({ where: { id: runId }, select: { projectId: true, function: true, args: true, createdAt: true, version: { select: { packageId: true } } } });
  if (!run) throw notFound("run");
  const key = argsKey(run.args);
  const earlier = await db().run.findMany({
    where: { projectId: run.projectId, function: run.function, version: { packageId: run.version.packageId }, createdAt: { lt: run.createdAt }, endedAt: { not: null } },
    select: { id: true, args: true },
    orderBy: { createdAt: "desc" },
    take: PREVIOUS_WINDOW,
  });
  return earlier.find((r) => argsKey(r.args) === key)?.id ?? null;
}

/**
 * The key paths (and ignored fields) a version's manifest declares, keeping only well-formed ones:
 * a manifest is package output. levrt refuses bad ones when the package is introspected.
 */
export function declaredKeys(manifest: unknown): SchemaKeys[] {
  const keys = (manifest as Partial<Manifest> | null)?.keys;
  if (!Array.isArray(keys)) return [];
  return keys
    .filter((k): k is SchemaKeys => !!k && typeof k.schema === "string" && keyPathProblems(k.paths).length === 0)
    .map((k) => {
      const ignore = Array.isArray(k.ignore) ? k.ignore.filter((f) => ignoreProblems([f]).length === 0) : [];
      return ignore.length ? { schema: k.schema, paths: k.paths, ignore } : { schema: k.schema, paths: k.paths };
    });
}

/**
 * Compares run A (before) with run B (after). Both must be of projects the viewer may read
 * (admins: any), else not found; both must be runs of the same function of the same package. The
 * key paths and ignored fields come from run B's version, else run A's; `ignore`, when given
 * (checked by the caller: `compareQuerySchema`), replaces the ignored fields.
 */
export async function compareRunsFor(viewer: Viewer, aRef: string, bRef: string, limits: CompareLimits = COMPARE_LIMITS, ignore?: readonly string[]): Promise<RunComparison> {
  const [a, b] = await Promise.all([getRun(viewer, aRef), getRun(viewer, bRef)]);
  if (a.package !== b.package || a.function !== b.function) {
    throw validation(`only runs of the same function compare: run A is ${a.package} ${a.function}, run B is ${b.package} ${b.function}`);
  }
  const versions = await db().packageVersion.findMany({ where: { id: { in: [a.versionId, b.versionId] } }, select: { id: true, manifest: true } });
  const keysOf = (id: string) => declaredKeys(versions.find((v) => v.id === id)?.manifest);
  const keys = keysOf(b.versionId).length ? keysOf(b.versionId) : keysOf(a.versionId);
  const [sideA, sideB, assets] = await Promise.all([runDocumentsForCompare(viewer, a.id, limits.documents), runDocumentsForCompare(viewer, b.id, limits.documents), assetChangesBetween(a.id, b.id)]);
  const pick = ({ logs: _l, tasks: _t, fn: _f, error: _e, exitCode: _x, collections: _c, canCancel: _k, canRun: _r, deviceWait: _w, waitsFor: _q, ...rest }: Awaited<ReturnType<typeof getRun>>) => rest;
  const diff = compareRuns(sideA.docs, sideB.docs, keys, limits, { a: sideA.counts, b: sideB.counts }, ignore);
  const fields = ignore ? [...ignore] : [...new Set(keys.flatMap((k) => k.ignore ?? []))];
  return { a: pick(a), b: pick(b), diff, ignore: { fields, chosen: ignore !== undefined }, assets };
}

/** The run page's comparison stays light: bigger collections are left to the compare page. */
const RUN_PAGE_LIMITS: CompareLimits = { ...COMPARE_LIMITS, documents: 1_000, totalChanges: 1_000 };

/** What changed since the previous run with the same arguments, for the run page (the package's ignored fields left out); null without one. */
export async function changesSincePrevious(viewer: Viewer, runId: string): Promise<{ previous: string; totals: RunsDiff["totals"]; partial: boolean; assets: AssetChanges } | null> {
  const previous = await previousRunId(viewer, runId);
  if (!previous) return null;
  const { diff, assets } = await compareRunsFor(viewer, previous, runId, RUN_PAGE_LIMITS);
  return { previous, totals: diff.totals, partial: diff.partial, assets };
}

/** Runs a run may be compared with: the same project's runs of the same package and function, newest first (the compare page's picker). */
export async function comparableRuns(viewer: Viewer, ref: string, limit = 50): Promise<{ id: string; number: number; createdAt: string; status: RunStatus; args: Record<string, unknown> }[]> {
  const runId = (await getRun(viewer, ref)).id;
  const run = await db().run.findUnique({ where: { id: runId }, select: { projectId: true, function: true, version: { select: { packageId: true } } } });
  if (!run) throw notFound("run");
  const rows = await db().run.findMany({
    where: { projectId: run.projectId, function: run.function, version: { packageId: run.version.packageId } },
    select: { id: true, number: true, createdAt: true, status: true, args: true },
    orderBy: { createdAt: "desc" },
    take: limit,
  });
  return rows.map((r) => ({ id: r.id, number: r.number, createdAt: r.createdAt.toISOString(), status: r.status, args: r.args as Record<string, unknown> }));
}
