import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../prisma/migrations");

/**
 * Applies the committed SQL migrations (Prisma's folder layout) that this database has not seen,
 * each once, in its own transaction, in folder-name order. Returns the names applied now.
 * Prisma's migrate engine is not needed: `_levhub_migrations` records what ran.
 */
export async function applyMigrations(url: string, dir = MIGRATIONS_DIR): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const applied: string[] = [];
  try {
    // one migrator at a time, even when two processes start together
    await client.query("SELECT pg_advisory_lock(72105)");
    await client.query(
      `CREATE TABLE IF NOT EXISTS "_levhub_migrations" (
         name TEXT PRIMARY KEY,
         applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
       )`,
    );
    const done = new Set((await client.query<{ name: string }>(`SELECT name FROM "_levhub_migrations"`)).rows.map((r) => r.name));
    const names = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, "migration.sql")))
      .map((d) => d.name)
      .sort();
    for (const name of names) {
      if (done.has(name)) continue;
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      try {
        await client.query("BEGIN");
        await client.query(sql);
        await client.query(`INSERT INTO "_levhub_migrations" (name) VALUES ($1)`, [name]);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${name} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      applied.push(name);
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock(72105)").catch(() => undefined);
    await client.end();
  }
  return applied;
}
