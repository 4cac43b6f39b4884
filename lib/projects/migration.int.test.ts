/**
 * The projects migration on a copy of a populated database: a database built at the migration
 * just before it, filled through SQL the way those versions wrote it (users, a package, runs,
 * saved scans, result documents and their per-owner counts, audit rows), then migrated. Every row
 * must land in its owner's personal project, and what each user sees through lib (runs, scans,
 * result documents and collections) must be exactly what they saw before: their own, an admin all.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { applyMigrations, MIGRATIONS_DIR } from "../platform/migrate.ts";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../platform/postgres.ts";
import type { Viewer } from "../types.ts";

const MINE = "20261208100000_projects";

let dir: string;
let database: EmbeddedDatabase;
let sql: pg.Client;

const USERS = [
  { id: "u_alice", username: "alice", role: "user" },
  { id: "u_bob", username: "bob", role: "user" },
  { id: "u_root", username: "root_1", role: "admin" },
  { id: "u_idle", username: "idle", role: "user" },
] as const;
/** runs by owner: [run id, collection, documents] */
const RUNS: [string, string, string, number][] = [
  ["r_a1", "u_alice", "it|nmap@1", 3],
  ["r_a2", "u_alice", "it|nmap@1", 2],
  ["r_a3", "u_alice", "it|web@1", 1],
  ["r_b1", "u_bob", "it|nmap@1", 4],
  ["r_root", "u_root", "it|web@1", 1],
];

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "levhub-it-migration-"));
  database = await startEmbeddedPostgres(path.join(dir, "pg"));
  // the committed migrations up to the one before this one
  const earlier = path.join(dir, "migrations");
  for (const name of readdirSync(MIGRATIONS_DIR).filter((n) => n < MINE).sort()) cpSync(path.join(MIGRATIONS_DIR, name), path.join(earlier, name), { recursive: true });
  await applyMigrations(database.url, earlier);
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  for (const u of USERS) {
    await sql.query(`INSERT INTO "User" ("id", "email", "username", "passwordHash", "role", "updatedAt") VALUES ($1, $2, $3, 'x', $4, now())`, [u.id, `${u.username}@example.org`, u.username, u.role]);
    await sql.query(`INSERT INTO "Namespace" ("id", "name", "ownerId") VALUES ($1, $2, $3)`, [`ns_${u.id}`, u.username, u.id]);
  }
  await sql.query(`INSERT INTO "Package" ("id", "namespaceId", "name", "updatedAt") VALUES ('pkg', 'ns_u_alice', 'tool', now())`);
  await sql.query(`INSERT INTO "PackageVersion" ("id", "packageId", "version", "manifest", "dir") VALUES ('ver', 'pkg', '1.0.0', '{"modes":[],"tools":[],"workflows":[]}', '/nonexistent')`);
  await sql.query(`UPDATE "Package" SET "latestVersionId" = 'ver'`);
  await sql.query(
    `INSERT INTO "SavedScan" ("id", "ownerId", "name", "packageId", "function", "args", "updatedAt") VALUES
       ('s_alice', 'u_alice', 'nightly', 'pkg', 'probe', '{}', now()), ('s_bob', 'u_bob', 'nightly', 'pkg', 'probe', '{}', now())`,
  );
  let job = 100;
  for (const [id, owner, coll, docs] of RUNS) {
    job++;
    await sql.query(
      `INSERT INTO "Run" ("id", "number", "ownerId", "versionId", "function", "args", "status", "collections", "endedAt", "scanId") VALUES ($1, $2, $3, 'ver', 'probe', '{}', 'succeeded', ARRAY[$4], now(), $5)`,
      [id, job, owner, coll, id === "r_a1" ? "s_alice" : null],
    );
    for (let t = 1; t <= docs; t++) {
      await sql.query(
        `INSERT INTO "ResultDocument" ("coll", "runId", "ownerId", "packageId", "versionId", "function", "job", "task", "bytes", "doc") VALUES ($1, $2, $3, 'pkg', 'ver', 'probe', $4, $5, 20, $6)`,
        [coll, id, owner, job, t, JSON.stringify({ run: id, task: t })],
      );
    }
  }
  await sql.query(
    `INSERT INTO "ResultCollection" ("ownerId", "coll", "documents", "bytes", "lastAt")
     SELECT "ownerId", "coll", count(*), sum("bytes"), max("storedAt") FROM "ResultDocument" GROUP BY 1, 2`,
  );
  await sql.query(
    `INSERT INTO "AuditEvent" ("actorId", "action", "target", "data") VALUES
       ('u_alice', 'run.start', 'r_a1', '{}'), ('u_bob', 'run.cancel', 'r_b1', NULL), ('u_alice', 'scan.create', 's_alice', '{}'),
       ('u_bob', 'scan.create', 's_gone', '{}'), ('u_bob', 'scan.delete', 's_gone', '{"name": "old", "owner": "bob"}'),
       (NULL, 'scan.disabled', 's_bob', '{}'), ('u_alice', 'user.signup', 'alice', '{}'), ('u_root', 'grant.set', 'alice', '{}')`,
  );
});

after(async () => {
  await sql?.end().catch(() => undefined);
  const { disconnectDb } = await import("../platform/db.ts");
  const { closeResultsPool } = await import("../results/pg.ts");
  await closeResultsPool().catch(() => undefined);
  await disconnectDb().catch(() => undefined);
  await database?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const personalId = async (username: string) => (await sql.query<{ id: string }>(`SELECT "id" FROM "Project" WHERE "personal" AND "slug" = $1`, [username])).rows[0]?.id;

test("the migration applies once, after the ones before it", async () => {
  assert.deepEqual(await applyMigrations(database.url), [MINE, ...readdirSync(MIGRATIONS_DIR).filter((n) => n > MINE && !n.includes(".")).sort()]);
  assert.deepEqual(await applyMigrations(database.url), []);
});

test("every user has a personal project named after them, with them as its one owner", async () => {
  const { rows } = await sql.query<{ slug: string; name: string; owner: string; members: string }>(
    `SELECT p."slug", p."name", p."personalOwnerId" AS "owner", (SELECT string_agg(m."userId" || ':' || m."role", ',') FROM "ProjectMember" m WHERE m."projectId" = p."id") AS "members"
       FROM "Project" p ORDER BY p."slug"`,
  );
  assert.deepEqual(
    rows,
    [...USERS].sort((a, b) => a.username.localeCompare(b.username)).map((u) => ({ slug: u.username, name: u.username, owner: u.id, members: `${u.id}:owner` })),
  );
});

test("runs, scans, result documents, collection counts and run/scan audit rows land in their owner's personal project", async () => {
  const runs = await sql.query<{ id: string; slug: string }>(`SELECT r."id", p."slug" FROM "Run" r JOIN "Project" p ON p."id" = r."projectId" ORDER BY r."id"`);
  const ownerName = (id: string) => USERS.find((u) => u.id === id)!.username;
  assert.deepEqual(runs.rows, RUNS.map(([id, owner]) => ({ id, slug: ownerName(owner) })).sort((a, b) => a.id.localeCompare(b.id)));
  const scans = await sql.query<{ id: string; slug: string }>(`SELECT s."id", p."slug" FROM "SavedScan" s JOIN "Project" p ON p."id" = s."projectId" ORDER BY s."id"`);
  assert.deepEqual(scans.rows, [
    { id: "s_alice", slug: "alice" },
    { id: "s_bob", slug: "bob" },
  ]);
  const docs = await sql.query<{ mismatched: string; total: string }>(
    `SELECT count(*) FILTER (WHERE d."projectId" IS DISTINCT FROM r."projectId")::text AS "mismatched", count(*)::text AS "total" FROM "ResultDocument" d JOIN "Run" r ON r."id" = d."runId"`,
  );
  assert.deepEqual(docs.rows[0], { mismatched: "0", total: String(RUNS.reduce((n, r) => n + r[3], 0)) });
  const counts = await sql.query<{ slug: string; coll: string; documents: string }>(
    `SELECT p."slug", c."coll", c."documents"::text FROM "ResultCollection" c JOIN "Project" p ON p."id" = c."projectId" ORDER BY 1, 2`,
  );
  assert.deepEqual(counts.rows, [
    { slug: "alice", coll: "it|nmap@1", documents: "5" },
    { slug: "alice", coll: "it|web@1", documents: "1" },
    { slug: "bob", coll: "it|nmap@1", documents: "4" },
    { slug: "root_1", coll: "it|web@1", documents: "1" },
  ]);
  const audit = await sql.query<{ action: string; target: string; slug: string | null }>(
    `SELECT a."action", a."target", p."slug" FROM "AuditEvent" a LEFT JOIN "Project" p ON p."id" = a."projectId" ORDER BY a."id"`,
  );
  assert.deepEqual(audit.rows, [
    { action: "run.start", target: "r_a1", slug: "alice" },
    { action: "run.cancel", target: "r_b1", slug: "bob" },
    { action: "scan.create", target: "s_alice", slug: "alice" },
    // a scan deleted before the migration: its owner, recorded by name on its deletion
    { action: "scan.create", target: "s_gone", slug: "bob" },
    { action: "scan.delete", target: "s_gone", slug: "bob" },
    { action: "scan.disabled", target: "s_bob", slug: "bob" },
    { action: "user.signup", target: "alice", slug: null },
    { action: "grant.set", target: "alice", slug: null },
  ]);
  // the old per-owner keys are gone; the new keyset index is there
  const columns = await sql.query<{ table_name: string }>(`SELECT table_name FROM information_schema.columns WHERE column_name = 'ownerId' AND table_name IN ('ResultDocument', 'ResultCollection')`);
  assert.deepEqual(columns.rows, []);
  const index = await sql.query(`SELECT 1 FROM pg_indexes WHERE indexname = 'ResultDocument_projectId_coll_id_idx'`);
  assert.equal(index.rowCount, 1);
  assert.ok(await personalId("idle"), "a user who never ran anything has a project too");
});

test("what each user sees through lib is what they saw before: their own runs, scans and results; an admin everything", async () => {
  process.env.DATABASE_URL = database.url;
  process.env.LEVHUB_DATA_DIR = dir;
  process.env.MONGODB_URI ??= `mongodb://127.0.0.1:1/levhub_unused_${randomBytes(3).toString("hex")}`;
  const { listRuns } = await import("../runs/index.ts");
  const { listScans } = await import("../scans/scans.ts");
  const { listDocuments, listCollections } = await import("../results/documents.ts");
  const { getUser } = await import("../accounts/users.ts");
  for (const u of USERS) {
    const viewer = (await getUser(u.id)) as Viewer;
    const admin = u.role === "admin";
    const ownRuns = RUNS.filter((r) => admin || r.at(1) === u.id);
    assert.deepEqual((await listRuns(viewer, { pageSize: 100 })).items.map((r) => r.id).sort(), ownRuns.map((r) => r[0]).sort(), `${u.username}'s runs`);
    const docs = (await listDocuments(viewer, {}, { limit: 200 })).items.map((d) => d.runId);
    assert.equal(docs.length, ownRuns.reduce((n, r) => n + r[3], 0), `${u.username}'s documents`);
    assert.ok(docs.every((id) => ownRuns.some((r) => r[0] === id)));
    const colls = Object.fromEntries((await listCollections(viewer)).map((c) => [c.coll, c.documents]));
    const want: Record<string, number> = {};
    for (const r of ownRuns) want[r[2]] = (want[r[2]] ?? 0) + r[3];
    assert.deepEqual(colls, want, `${u.username}'s collections`);
    const scans = (await listScans(viewer)).map((s) => s.id).sort();
    assert.deepEqual(scans, admin ? ["s_alice", "s_bob"] : u.id === "u_alice" ? ["s_alice"] : u.id === "u_bob" ? ["s_bob"] : [], `${u.username}'s scans`);
  }
});
