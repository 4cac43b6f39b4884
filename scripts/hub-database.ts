/**
 * The hub's database for operator commands (admin, backup, restore): DATABASE_URL when set, else
 * the embedded PostgreSQL of LEVHUB_DATA_DIR — the running hub's server when the hub is up,
 * otherwise started for the command (stop it after).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { dataDir } from "../lib/platform/config.ts";
import { applyMigrations } from "../lib/platform/migrate.ts";
import { socketUrl, startEmbeddedPostgres, type EmbeddedDatabase } from "../lib/platform/postgres.ts";

/** The pid, port and socket directory of a PostgreSQL running on `pgDir`, from its postmaster.pid; null when none runs. */
export function runningPostgres(pgDir: string): { pid: number; port: number; socketDir: string } | null {
  const file = path.join(pgDir, "postmaster.pid");
  if (!existsSync(file)) return null;
  // line 1: pid, line 4: port, line 5: the first socket directory (PostgreSQL's documented layout)
  const lines = readFileSync(file, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  const socketDir = lines[4]?.trim() ?? "";
  if (!Number.isInteger(pid) || !Number.isInteger(port) || !socketDir) return null;
  try {
    process.kill(pid, 0);
  } catch {
    return null; // a stale file of a killed server
  }
  return { pid, port, socketDir };
}

/**
 * Points DATABASE_URL at the hub's database; returns the server this command started, if any.
 * `create`: a data directory without a database gets a new, empty one (restore); otherwise that
 * is an error, and a database that exists is migrated to this version's schema.
 */
export async function connectHubDatabase(opts: { create?: boolean } = {}): Promise<{ ok: true; started: EmbeddedDatabase | null } | { ok: false; problem: string }> {
  if (process.env.DATABASE_URL) return { ok: true, started: null };
  const dir = dataDir();
  const pgDir = path.join(dir, "pg");
  const exists = existsSync(path.join(pgDir, "PG_VERSION"));
  if (!exists && !opts.create) return { ok: false, problem: `no hub database in ${pgDir}: set LEVHUB_DATA_DIR to the hub's data directory, or DATABASE_URL` };
  const running = exists ? runningPostgres(pgDir) : null;
  if (running) {
    const password = readFileSync(path.join(dir, "pg-password"), "utf8").trim();
    process.env.DATABASE_URL = socketUrl(running.socketDir, running.port, password);
    return { ok: true, started: null };
  }
  const pg = await startEmbeddedPostgres(pgDir);
  process.env.DATABASE_URL = pg.url;
  // the same schema the hub would have after its next start (a new database stays empty: restore migrates it)
  if (exists) await applyMigrations(pg.url);
  return { ok: true, started: pg };
}
