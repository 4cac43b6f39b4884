import { createReadStream, createWriteStream, existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, symlink, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { once } from "node:events";
import pg from "pg";
import { applyMigrations, MIGRATIONS_DIR } from "../../platform/migrate.ts";
import type { BackupPart } from "../part.ts";

/**
 * The hub's PostgreSQL database, dumped through the driver: the migrations it has applied (the
 * schema) and every table's rows as JSON lines, in one REPEATABLE READ snapshot. pg_dump would
 * have to match the server's major version (18 for the embedded server; the machine's client
 * is older), this works against any server the hub runs on, embedded or `DATABASE_URL`.
 * Not dumped: the results index (rebuilt from the restored results store), pg-boss's schema
 * (its queue: a queued run's job is made again by nothing, so back up a quiet hub).
 */
const DERIVED_TABLES = new Set(["ResultDocument", "ResultCollection", "_levhub_migrations"]);
/**
 * The rows a fresh hub's migrations seed, which the archive brings back: the settings row and the
 * catalog's generation (its facet counts are kept per generation). A database holding anything else
 * is not empty.
 */
const SEEDED_TABLES = ["HubSettings", "CatalogGeneration"];
const BATCH = 500;

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function tables(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY c.relname`,
  );
  return rows.map((r) => r.name).filter((n) => !DERIVED_TABLES.has(n));
}

export const postgresPart: BackupPart = {
  name: "postgres",

  async dump(hub, dir) {
    const client = new pg.Client({ connectionString: hub.databaseUrl });
    await client.connect();
    const counts: Record<string, number> = {};
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const migrations = (await client.query<{ name: string }>(`SELECT name FROM "_levhub_migrations" ORDER BY name`)).rows.map((r) => r.name);
      writeFileSync(path.join(dir, "migrations.json"), JSON.stringify(migrations));
      const seqs = (await client.query<{ name: string; value: string | null }>(`SELECT sequencename AS name, last_value::text AS value FROM pg_sequences WHERE schemaname = 'public'`)).rows;
      writeFileSync(path.join(dir, "sequences.json"), JSON.stringify(seqs));
      await mkdir(path.join(dir, "tables"), { recursive: true });
      for (const table of await tables(client)) {
        const out = createWriteStream(path.join(dir, "tables", `${table}.jsonl`));
        let n = 0;
        await client.query(`DECLARE dump_rows NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS j FROM ${q(table)} t`);
        for (;;) {
          const { rows } = await client.query<{ j: string }>(`FETCH ${BATCH} FROM dump_rows`);
          if (!rows.length) break;
          for (const r of rows) if (!out.write(`${r.j}\n`)) await once(out, "drain");
          n += rows.length;
        }
        await client.query("CLOSE dump_rows");
        out.end();
        await once(out, "close");
        counts[table] = n;
      }
      await client.query("COMMIT");
    } finally {
      await client.end();
    }
    return counts;
  },

  async restore(hub, dir, manifest) {
    const migrations = JSON.parse(readFileSync(path.join(dir, "migrations.json"), "utf8")) as string[];
    const unknown = migrations.filter((m) => !existsSync(path.join(MIGRATIONS_DIR, m, "migration.sql")));
    if (unknown.length) throw new Error(`the archive's database has migrations this Levhub does not know (${unknown.join(", ")}): restore with the Levhub that made it, or newer`);
    // the schema as the archive's rows expect it, then the rows, then this version's later migrations
    const at = await mkdtemp(path.join(tmpdir(), "levhub-restore-migrations-"));
    try {
      for (const m of migrations) await symlink(path.join(MIGRATIONS_DIR, m), path.join(at, m));
      await applyMigrations(hub.databaseUrl, at);
    } finally {
      await rm(at, { recursive: true, force: true });
    }
    const client = new pg.Client({ connectionString: hub.databaseUrl });
    await client.connect();
    const counts: Record<string, number> = {};
    try {
      const present = await tables(client);
      const busy = [];
      for (const t of present) if ((await client.query(`SELECT 1 FROM ${q(t)} LIMIT 1`)).rowCount) busy.push(t);
      const occupied = busy.filter((t) => !SEEDED_TABLES.includes(t));
      if (occupied.length) throw new Error(`the database is not empty (${occupied.join(", ")}): restore into a new database`);
      await client.query("BEGIN");
      // rows arrive table by table, so foreign keys (and the package ↔ latest version cycle) are checked by nothing until all are in
      await client.query("SET LOCAL session_replication_role = replica");
      for (const t of SEEDED_TABLES) if (present.includes(t)) await client.query(`DELETE FROM ${q(t)}`);
      const partCounts = manifest.parts.find((p) => p.name === "postgres")?.counts ?? {};
      for (const table of Object.keys(partCounts)) {
        if (!present.includes(table)) throw new Error(`the archive has rows of a table this database does not have: ${table}`);
        const rl = createInterface({ input: createReadStream(path.join(dir, "tables", `${table}.jsonl`)), crlfDelay: Infinity });
        let batch: string[] = [];
        let n = 0;
        const flush = async () => {
          if (!batch.length) return;
          await client.query(`INSERT INTO ${q(table)} SELECT * FROM json_populate_recordset(NULL::${q(table)}, $1::json)`, [`[${batch.join(",")}]`]);
          n += batch.length;
          batch = [];
        };
        for await (const line of rl) {
          if (!line) continue;
          batch.push(line);
          if (batch.length >= BATCH) await flush();
        }
        await flush();
        counts[table] = n;
      }
      const seqs = JSON.parse(readFileSync(path.join(dir, "sequences.json"), "utf8")) as { name: string; value: string | null }[];
      for (const s of seqs) if (s.value !== null) await client.query(`SELECT setval($1::regclass, $2::bigint)`, [q(s.name), s.value]);
      // stored package paths name the backed-up hub's data directory
      if (manifest.dataDir !== hub.dataDir) {
        await client.query(
          `UPDATE "PackageVersion" SET "dir" = $2 || substr("dir", length($1) + 1), "archivePath" = CASE WHEN starts_with("archivePath", $1 || '/') THEN $2 || substr("archivePath", length($1) + 1) ELSE "archivePath" END WHERE starts_with("dir", $1 || '/')`,
          [manifest.dataDir, hub.dataDir],
        );
      }
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      await client.end();
    }
    await applyMigrations(hub.databaseUrl);
    return counts;
  },
};
