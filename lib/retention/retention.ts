import "server-only";
import { readdirSync, statSync, unlinkSync } from "node:fs";
import path from "node:path";
import { MongoClient } from "mongodb";
import { TERMINAL_RUN_STATUSES } from "../../runner/src/status.ts";
import { audit } from "../platform/audit.ts";
import { mongoUri } from "../platform/config.ts";
import { getSettings } from "../platform/settings.ts";
import { resultsPool } from "../results/pg.ts";
import { imagesDir } from "../worker/worker-files.ts";
import { deletedVersionGoes, retentionCutoffs, runFate, RETENTION_KINDS, type RetentionKind } from "./policy.ts";

/** What one kind would lose: how many, and the oldest of them (ISO; null when none). */
export interface KindPlan {
  count: number;
  oldest: string | null;
}

export interface RetentionPlan {
  at: string;
  /** the instant before which each kind goes (ISO), null where the kind is kept for ever */
  cutoffs: Record<RetentionKind, string | null>;
  kinds: Record<RetentionKind, KindPlan>;
  /** what a cutoff reached but is kept, and why (open findings cite their documents) */
  kept: { runs: number; reason: string }[];
}

/**
 * Runs whose documents must outlive retention, each with the reason shown in the preview.
 * Open findings citing a run's documents as evidence register here (lib/findings); until then
 * nothing cites a document and the list is empty.
 */
export const RUN_KEEPERS: { reason: string; runIds(): Promise<Set<string>> }[] = [];

interface Candidate {
  id: string;
  number: number;
  projectId: string;
  endedAt: Date;
}

interface Work {
  plan: RetentionPlan;
  deleteRuns: Candidate[];
  deleteDocuments: Candidate[];
  deleteLogs: string[];
  imageTars: string[];
  deletedVersions: string[];
  auditCutoff: Date | null;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
function oldestOf(dates: Date[]): string | null {
  let min: Date | null = null;
  for (const d of dates) if (!min || d < min) min = d;
  return iso(min);
}

async function survey(now: Date): Promise<Work> {
  const settings = (await getSettings()).retention;
  const cutoffs = retentionCutoffs(settings, now);
  const pool = resultsPool();
  const kinds = Object.fromEntries(RETENTION_KINDS.map((k) => [k, { count: 0, oldest: null }])) as Record<RetentionKind, KindPlan>;
  const kept: RetentionPlan["kept"] = [];

  // runs: the latest cutoff of the three that reach runs bounds the candidates
  const runCuts = [cutoffs.runs, cutoffs.logs, cutoffs.documents].filter((c): c is Date => c !== null);
  const bound = runCuts.length ? new Date(Math.max(...runCuts.map((c) => c.getTime()))) : null;
  const deleteRuns: Candidate[] = [];
  const deleteDocuments: Candidate[] = [];
  const deleteLogs: string[] = [];
  if (bound) {
    const { rows } = await pool.query<Candidate>(
      `SELECT "id", "number", "projectId", "endedAt" FROM "Run" WHERE "status"::text = ANY($1::text[]) AND "endedAt" < $2 ORDER BY "endedAt"`,
      [[...TERMINAL_RUN_STATUSES], bound],
    );
    const keepers = await Promise.all(RUN_KEEPERS.map(async (k) => ({ reason: k.reason, ids: await k.runIds() })));
    const keptBy = new Map<string, number>();
    for (const run of rows) {
      const citing = keepers.find((k) => k.ids.has(run.id));
      const fate = runFate({ endedAt: run.endedAt, cited: Boolean(citing) }, cutoffs);
      if (fate.keptBecause && citing) keptBy.set(citing.reason, (keptBy.get(citing.reason) ?? 0) + 1);
      if (fate.deleteRun) deleteRuns.push(run);
      else if (fate.deleteDocuments) deleteDocuments.push(run);
      if (fate.deleteLogs && !fate.deleteRun) deleteLogs.push(run.id);
    }
    for (const [reason, runs] of keptBy) kept.push({ runs, reason });
    kinds.runs = { count: deleteRuns.length, oldest: oldestOf(deleteRuns.map((r) => r.endedAt)) };
    const docRuns = [...deleteRuns, ...deleteDocuments].map((r) => r.id);
    const docs = await pool.query<{ n: string; oldest: Date | null }>(`SELECT count(*)::text AS n, min("storedAt") AS oldest FROM "ResultDocument" WHERE "runId" = ANY($1::text[])`, [docRuns]);
    kinds.documents = { count: Number(docs.rows[0].n), oldest: iso(docs.rows[0].oldest) };
    const logRuns = [...deleteRuns.map((r) => r.id), ...deleteLogs];
    const logs = await pool.query<{ n: string; oldest: Date | null }>(`SELECT count(*)::text AS n, min("at") AS oldest FROM "RunLog" WHERE "runId" = ANY($1::text[])`, [logRuns]);
    kinds.logs = { count: Number(logs.rows[0].n), oldest: iso(logs.rows[0].oldest) };
  }

  const imageTars: string[] = [];
  if (cutoffs.imageTars) {
    const dates: Date[] = [];
    let entries: string[] = [];
    try {
      entries = readdirSync(imagesDir());
    } catch {
      entries = []; // no cache yet
    }
    for (const name of entries) {
      if (!name.endsWith(".tar")) continue;
      const file = path.join(imagesDir(), name);
      const st = statSync(file, { throwIfNoEntry: false });
      // a tar's mtime is when it was last served (lib/worker/image-cache.ts)
      if (st?.isFile() && st.mtime < cutoffs.imageTars) {
        imageTars.push(file);
        dates.push(st.mtime);
      }
    }
    kinds.imageTars = { count: imageTars.length, oldest: oldestOf(dates) };
  }

  const deletedVersions: string[] = [];
  if (cutoffs.deletedVersions) {
    const { rows } = await pool.query<{ id: string; deletedAt: Date; runs: number; dependents: number; scans: number }>(
      `SELECT v."id", v."deletedAt",
              (SELECT count(*)::int FROM "Run" r WHERE r."versionId" = v."id") AS runs,
              (SELECT count(*)::int FROM "VersionDependency" d WHERE d."dependencyId" = v."id") AS dependents,
              (SELECT count(*)::int FROM "SavedScan" s WHERE s."versionId" = v."id") AS scans
         FROM "PackageVersion" v WHERE v."deletedAt" IS NOT NULL AND v."deletedAt" < $1`,
      [cutoffs.deletedVersions],
    );
    const going = rows.filter((v) => deletedVersionGoes(v, cutoffs.deletedVersions));
    deletedVersions.push(...going.map((v) => v.id));
    kinds.deletedVersions = { count: going.length, oldest: oldestOf(going.map((v) => v.deletedAt)) };
  }

  if (cutoffs.audit) {
    const { rows } = await pool.query<{ n: string; oldest: Date | null }>(`SELECT count(*)::text AS n, min("createdAt") AS oldest FROM "AuditEvent" WHERE "createdAt" < $1`, [cutoffs.audit]);
    kinds.audit = { count: Number(rows[0].n), oldest: iso(rows[0].oldest) };
  }

  const plan: RetentionPlan = {
    at: now.toISOString(),
    cutoffs: Object.fromEntries(RETENTION_KINDS.map((k) => [k, iso(cutoffs[k])])) as Record<RetentionKind, string | null>,
    kinds,
    kept,
  };
  return { plan, deleteRuns, deleteDocuments, deleteLogs, imageTars, deletedVersions, auditCutoff: cutoffs.audit };
}

/** The dry run: exactly what `applyRetention` would delete now, per kind, with the oldest date. */
export async function retentionPlan(now = new Date()): Promise<RetentionPlan> {
  return (await survey(now)).plan;
}

/** Deletes runs' documents from the results store, then from the index, and recounts their collections. */
async function deleteDocumentsOf(runs: Candidate[]): Promise<number> {
  if (!runs.length) return 0;
  const pool = resultsPool();
  const ids = runs.map((r) => r.id);
  const { rows: colls } = await pool.query<{ runId: string; coll: string }>(
    `SELECT DISTINCT "runId", "coll" FROM "ResultDocument" WHERE "runId" = ANY($1::text[])
     UNION SELECT "runId", "coll" FROM "Task" WHERE "runId" = ANY($1::text[]) AND "stored"
     UNION SELECT "id", unnest("collections") FROM "Run" WHERE "id" = ANY($1::text[])`,
    [ids],
  );
  const byId = new Map(runs.map((r) => [r.id, r]));
  // MongoDB decides, as when documents are stored: the store first, then its index
  const client = new MongoClient(mongoUri(), { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  try {
    for (const { runId, coll } of colls) await client.db().collection(coll).deleteMany({ "_id.job": byId.get(runId)!.number });
  } finally {
    await client.close();
  }
  const db = await pool.connect();
  try {
    await db.query("BEGIN");
    const { rowCount } = await db.query(`DELETE FROM "ResultDocument" WHERE "runId" = ANY($1::text[])`, [ids]);
    const touched = new Set(colls.map((c) => `${byId.get(c.runId)!.projectId}\u0000${c.coll}`));
    for (const key of touched) {
      const [projectId, coll] = key.split("\u0000");
      await db.query(
        `UPDATE "ResultCollection" c SET "documents" = s.n, "bytes" = s.b FROM (SELECT count(*) AS n, COALESCE(sum("bytes"), 0) AS b FROM "ResultDocument" WHERE "projectId" = $1 AND "coll" = $2) s WHERE c."projectId" = $1 AND c."coll" = $2`,
        [projectId, coll],
      );
      await db.query(`DELETE FROM "ResultCollection" WHERE "projectId" = $1 AND "coll" = $2 AND "documents" = 0`, [projectId, coll]);
    }
    await db.query("COMMIT");
    return rowCount ?? 0;
  } catch (err) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    db.release();
  }
}

export type RetentionResult = Record<RetentionKind, number>;

/**
 * Deletes what the plan lists (the plan is made again at the same instant, so the preview and
 * the deletion agree), then audits `retention.apply` with the counts. `actorId`: the admin who
 * asked, null for the daily job.
 */
export async function applyRetention(actorId: string | null, now = new Date()): Promise<{ plan: RetentionPlan; deleted: RetentionResult }> {
  const work = await survey(now);
  const pool = resultsPool();
  const deleted = Object.fromEntries(RETENTION_KINDS.map((k) => [k, 0])) as RetentionResult;
  deleted.documents = await deleteDocumentsOf([...work.deleteRuns, ...work.deleteDocuments]);
  if (work.deleteLogs.length || work.deleteRuns.length) {
    const ids = [...work.deleteLogs, ...work.deleteRuns.map((r) => r.id)];
    deleted.logs = (await pool.query(`DELETE FROM "RunLog" WHERE "runId" = ANY($1::text[])`, [ids])).rowCount ?? 0;
  }
  if (work.deleteRuns.length) {
    // tasks go with their run (cascade); a run still unfinished is never among them
    deleted.runs = (await pool.query(`DELETE FROM "Run" WHERE "id" = ANY($1::text[]) AND "status"::text = ANY($2::text[])`, [work.deleteRuns.map((r) => r.id), [...TERMINAL_RUN_STATUSES]])).rowCount ?? 0;
  }
  for (const file of work.imageTars) {
    try {
      unlinkSync(file);
      deleted.imageTars++;
    } catch {
      // served and replaced meanwhile, or gone already
    }
  }
  if (work.deletedVersions.length) {
    deleted.deletedVersions =
      (
        await pool.query(
          `DELETE FROM "PackageVersion" v WHERE v."id" = ANY($1::text[]) AND v."deletedAt" IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM "Run" r WHERE r."versionId" = v."id")
             AND NOT EXISTS (SELECT 1 FROM "VersionDependency" d WHERE d."dependencyId" = v."id")
             AND NOT EXISTS (SELECT 1 FROM "SavedScan" s WHERE s."versionId" = v."id")`,
          [work.deletedVersions],
        )
      ).rowCount ?? 0;
  }
  if (work.auditCutoff) deleted.audit = (await pool.query(`DELETE FROM "AuditEvent" WHERE "createdAt" < $1`, [work.auditCutoff])).rowCount ?? 0;
  if (RETENTION_KINDS.some((k) => deleted[k] > 0)) await audit(actorId, "retention.apply", null, { deleted, cutoffs: work.plan.cutoffs, kept: work.plan.kept });
  return { plan: work.plan, deleted };
}
