import "server-only";
import type pg from "pg";
import type { ResultStore, StoredMeta } from "../../runner/src/index.ts";
import { indexableJson } from "./indexable.ts";
import { resultsPool } from "./pg.ts";

/** Where a run's documents belong (its project), read once per run from its row. */
interface RunFacts {
  projectId: string;
  packageId: string;
  versionId: string;
  function: string;
  number: number;
}

const FACTS_CACHE = 500;
const factsCache = new Map<string, RunFacts>();

async function runFacts(db: pg.Pool | pg.PoolClient, runId: string): Promise<RunFacts> {
  const hit = factsCache.get(runId);
  if (hit) return hit;
  const { rows } = await db.query<RunFacts>(
    `SELECT r."projectId", v."packageId", r."versionId", r."function", r."number"
       FROM "Run" r JOIN "PackageVersion" v ON v."id" = r."versionId" WHERE r."id" = $1`,
    [runId],
  );
  if (!rows[0]) throw new Error(`run ${runId} has no row: its documents cannot be indexed`);
  if (factsCache.size >= FACTS_CACHE) factsCache.delete(factsCache.keys().next().value as string);
  factsCache.set(runId, rows[0]);
  return rows[0];
}

export type IndexWrite = "put" | "merge";

/**
 * One statement: the document row (replaced by a put, top-level fields merged by a merge, as
 * MongoDB's replace and `$set` do) and its collection's counts, so the two never disagree.
 */
function upsertSql(mode: IndexWrite): string {
  const doc = mode === "put" ? `EXCLUDED."doc"` : `"ResultDocument"."doc" || EXCLUDED."doc"`;
  return `
WITH old AS (SELECT "bytes" FROM "ResultDocument" WHERE "coll" = $1 AND "job" = $2 AND "task" = $3),
up AS (
  INSERT INTO "ResultDocument" ("coll", "job", "task", "runId", "projectId", "packageId", "versionId", "function", "storedAt", "bytes", "doc")
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)
  ON CONFLICT ("coll", "job", "task") DO UPDATE
    SET "doc" = ${doc}, "bytes" = ${mode === "put" ? `EXCLUDED."bytes"` : `octet_length((${doc})::text)`}, "storedAt" = EXCLUDED."storedAt"
  RETURNING "bytes"
)
INSERT INTO "ResultCollection" ("projectId", "coll", "documents", "bytes", "lastAt")
SELECT $5, $1, CASE WHEN EXISTS (SELECT 1 FROM old) THEN 0 ELSE 1 END, (SELECT "bytes" FROM up) - COALESCE((SELECT "bytes" FROM old), 0), $9
ON CONFLICT ("projectId", "coll") DO UPDATE
  SET "documents" = "ResultCollection"."documents" + EXCLUDED."documents",
      "bytes" = "ResultCollection"."bytes" + EXCLUDED."bytes",
      "lastAt" = GREATEST("ResultCollection"."lastAt", EXCLUDED."lastAt")`;
}

/** Writes one stored document (as MongoDB has it after the same write) into the index. */
export async function indexDocument(
  mode: IndexWrite,
  coll: string,
  job: number,
  task: number,
  fields: Record<string, unknown>,
  meta: Pick<StoredMeta, "run" | "at">,
  db: pg.Pool | pg.PoolClient = resultsPool(),
): Promise<void> {
  const facts = await runFacts(db, meta.run);
  const { json, bytes } = indexableJson(fields);
  await db.query(upsertSql(mode), [coll, job, task, meta.run, facts.projectId, facts.packageId, facts.versionId, facts.function, meta.at, bytes, json]);
}

/**
 * Several documents of one run, as many puts, in one statement: their rows, and each collection's
 * counts once (a collection's counts are one row every document of the project updates: one
 * update per batch rather than one per document). A task named twice counts once, its last
 * document standing.
 */
export async function indexDocuments(
  docs: { coll: string; job: number; task: number; fields: Record<string, unknown> }[],
  meta: Pick<StoredMeta, "run" | "at">,
  db: pg.Pool | pg.PoolClient = resultsPool(),
): Promise<void> {
  if (docs.length === 0) return;
  const last = new Map<string, (typeof docs)[number]>();
  for (const d of docs) last.set(JSON.stringify([d.coll, d.job, d.task]), d);
  const rows = [...last.values()].map((d) => ({ ...d, ...indexableJson(d.fields) }));
  const facts = await runFacts(db, meta.run);
  await db.query(
    `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::int[], $5::text[]) AS i("coll", "job", "task", "bytes", "doc")
),
old AS (
  SELECT d."coll", d."bytes" FROM "ResultDocument" d JOIN input i ON d."coll" = i."coll" AND d."job" = i."job" AND d."task" = i."task"
),
up AS (
  INSERT INTO "ResultDocument" ("coll", "job", "task", "runId", "projectId", "packageId", "versionId", "function", "storedAt", "bytes", "doc")
  SELECT i."coll", i."job", i."task", $6, $7, $8, $9, $10, $11, i."bytes", i."doc"::jsonb FROM input i
  ON CONFLICT ("coll", "job", "task") DO UPDATE
    SET "doc" = EXCLUDED."doc", "bytes" = EXCLUDED."bytes", "storedAt" = EXCLUDED."storedAt"
  RETURNING "coll", "bytes"
),
added AS (SELECT "coll", count(*) AS n, sum("bytes") AS bytes FROM up GROUP BY "coll"),
replaced AS (SELECT "coll", count(*) AS n, sum("bytes") AS bytes FROM old GROUP BY "coll")
INSERT INTO "ResultCollection" ("projectId", "coll", "documents", "bytes", "lastAt")
SELECT $7, a."coll", a.n - COALESCE(r.n, 0), a.bytes - COALESCE(r.bytes, 0), $11
  FROM added a LEFT JOIN replaced r ON r."coll" = a."coll"
 ORDER BY a."coll"
ON CONFLICT ("projectId", "coll") DO UPDATE
  SET "documents" = "ResultCollection"."documents" + EXCLUDED."documents",
      "bytes" = "ResultCollection"."bytes" + EXCLUDED."bytes",
      "lastAt" = GREATEST("ResultCollection"."lastAt", EXCLUDED."lastAt")`,
    [
      rows.map((r) => r.coll),
      rows.map((r) => r.job),
      rows.map((r) => r.task),
      rows.map((r) => r.bytes),
      rows.map((r) => r.json),
      meta.run,
      facts.projectId,
      facts.packageId,
      facts.versionId,
      facts.function,
      meta.at,
    ],
  );
}

/**
 * Rebuilds a run's part of the index from MongoDB, the contract store: every document the run
 * stored is written again, rows MongoDB no longer has are removed, and the counts of the touched
 * collections are recounted. Repairs what a failed index write left behind.
 */
export async function reindexRun(store: Pick<ResultStore, "findRun">, runId: string): Promise<{ documents: number }> {
  const pool = resultsPool();
  const { rows: runRows } = await pool.query<{ number: number; collections: string[]; projectId: string }>(
    `SELECT "number", "collections", "projectId" FROM "Run" WHERE "id" = $1`,
    [runId],
  );
  const run = runRows[0];
  if (!run) throw new Error(`no run ${runId}`);
  const { rows: taskColls } = await pool.query<{ coll: string }>(`SELECT DISTINCT "coll" FROM "Task" WHERE "runId" = $1 AND "stored"`, [runId]);
  const { rows: indexedColls } = await pool.query<{ coll: string }>(`SELECT DISTINCT "coll" FROM "ResultDocument" WHERE "runId" = $1`, [runId]);
  const colls = [...new Set([...(run.collections ?? []), ...taskColls.map((r) => r.coll), ...indexedColls.map((r) => r.coll)])];
  const client = await pool.connect();
  let documents = 0;
  try {
    await client.query("BEGIN");
    for (const coll of colls) {
      const docs = await store.findRun(coll, run.number);
      const tasks: number[] = [];
      for (const d of docs) {
        const { _id, ...fields } = d;
        const task = (_id as { task?: unknown } | undefined)?.task;
        if (typeof task !== "number") continue;
        tasks.push(task);
        await indexDocument("put", coll, run.number, task, fields, { run: runId, at: new Date() }, client);
        documents++;
      }
      await client.query(`DELETE FROM "ResultDocument" WHERE "runId" = $1 AND "coll" = $2 AND NOT ("task" = ANY($3::int[]))`, [runId, coll, tasks]);
      await client.query(
        `INSERT INTO "ResultCollection" ("projectId", "coll", "documents", "bytes", "lastAt")
         SELECT $1, $2, count(*), COALESCE(sum("bytes"), 0), COALESCE(max("storedAt"), now()) FROM "ResultDocument" WHERE "projectId" = $1 AND "coll" = $2
         ON CONFLICT ("projectId", "coll") DO UPDATE SET "documents" = EXCLUDED."documents", "bytes" = EXCLUDED."bytes", "lastAt" = EXCLUDED."lastAt"`,
        [run.projectId, coll],
      );
    }
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  return { documents };
}
