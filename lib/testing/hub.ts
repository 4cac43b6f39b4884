/**
 * Throwaway hub state for integration tests: a fresh embedded PostgreSQL in a temporary data
 * dir, migrations applied, and a MongoDB database name of its own. `close()` removes all of it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { MongoClient } from "mongodb";
import { applyMigrations } from "../migrate.ts";
import { mongoUri as mongoUriFor } from "../../runner/src/config.ts";
import { startEmbeddedPostgres } from "../postgres.ts";

export interface TestHub {
  dataDir: string;
  databaseUrl: string;
  mongoUri: string;
  close(): Promise<void>;
}

export async function startTestHub(): Promise<TestHub> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "levhub-it-"));
  const pg = await startEmbeddedPostgres(path.join(dataDir, "pg"));
  await applyMigrations(pg.url);
  const dbName = `levhub_it_${randomBytes(4).toString("hex")}`;
  const mongoUri = mongoUriFor(dbName);
  process.env.LEVHUB_DATA_DIR = dataDir;
  process.env.DATABASE_URL = pg.url;
  process.env.MONGODB_URI = mongoUri;
  process.env.NEXTAUTH_SECRET ??= randomBytes(16).toString("hex");
  return {
    dataDir,
    databaseUrl: pg.url,
    mongoUri,
    async close() {
      const { closeHubRunner } = await import("../hub-runner.ts");
      const { disconnectDb } = await import("../db.ts");
      await closeHubRunner().catch(() => undefined);
      const { closeResultsPool } = await import("../results/pg.ts");
      await closeResultsPool().catch(() => undefined);
      await disconnectDb().catch(() => undefined);
      const client = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 3000 });
      try {
        await client.connect();
        await client.db(dbName).dropDatabase();
      } catch {
        // Mongo unreachable: nothing was stored there either
      } finally {
        await client.close().catch(() => undefined);
      }
      await pg.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
