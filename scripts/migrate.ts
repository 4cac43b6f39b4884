/**
 * Applies the committed migrations to DATABASE_URL, or to the embedded PostgreSQL in
 * LEVHUB_DATA_DIR (started for the occasion and stopped again).
 */
import path from "node:path";
import { dataDir } from "../lib/platform/config.ts";
import { applyMigrations } from "../lib/platform/migrate.ts";
import { startEmbeddedPostgres } from "../lib/platform/postgres.ts";

const embedded = process.env.DATABASE_URL ? null : await startEmbeddedPostgres(path.join(dataDir(), "pg"));
try {
  const applied = await applyMigrations(process.env.DATABASE_URL ?? embedded!.url);
  console.log(applied.length ? `applied: ${applied.join(", ")}` : "the schema is up to date");
} finally {
  await embedded?.stop();
}
