/**
 * Throwaway hub state for integration tests: a fresh embedded PostgreSQL in a temporary data
 * dir, migrations applied, and a MongoDB database name of its own. `close()` removes all of it.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { MongoClient } from "mongodb";
import pg from "pg";
import { applyMigrations } from "../platform/migrate.ts";
import { mongoUri as mongoUriFor } from "../../runner/src/config.ts";
import { startEmbeddedPostgres } from "../platform/postgres.ts";
import { serveRoutes, type RouteServer } from "./route-server.ts";

export interface TestHub {
  dataDir: string;
  databaseUrl: string;
  mongoUri: string;
  /**
   * Runs a worker (runner/worker's startWorker) in this process against the hub's worker routes,
   * with a credential of its own, over a unix socket as npm start's worker; runs submitted
   * meanwhile are taken by it. Stopped by close().
   */
  startWorker(opts?: { name?: string; capacity?: number; hostNetwork?: boolean }): Promise<{ instance: string; stop(): Promise<void> }>;
  close(): Promise<void>;
}

/**
 * `signUpMode`: integration tests sign their cast up directly, so a test hub starts with open
 * sign-up; "fresh" leaves the settings as a new hub has them (invite-only).
 */
export async function startTestHub(opts: { signUpMode?: "open" | "fresh" } = {}): Promise<TestHub> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "levhub-it-"));
  const pgServer = await startEmbeddedPostgres(path.join(dataDir, "pg"));
  await applyMigrations(pgServer.url);
  if ((opts.signUpMode ?? "open") === "open") {
    const client = new pg.Client({ connectionString: pgServer.url });
    await client.connect();
    await client.query(`INSERT INTO "HubSettings" ("id", "data", "updatedAt") VALUES (1, '{"signUpMode": "open"}', CURRENT_TIMESTAMP)`);
    await client.end();
  }
  const dbName = `levhub_it_${randomBytes(4).toString("hex")}`;
  const mongoUri = mongoUriFor(dbName);
  process.env.LEVHUB_DATA_DIR = dataDir;
  process.env.DATABASE_URL = pgServer.url;
  process.env.MONGODB_URI = mongoUri;
  process.env.NEXTAUTH_SECRET ??= randomBytes(16).toString("hex");
  const stops: (() => Promise<void>)[] = [];
  let routes: RouteServer | null = null;
  return {
    dataDir,
    databaseUrl: pgServer.url,
    mongoUri,
    async startWorker(opts = {}) {
      // the data directory is mkdtemp's (0700): the socket is this user's alone
      routes ??= await serveRoutes({ socket: path.join(dataDir, "hub.sock") });
      const name = opts.name ?? `test-worker-${stops.length + 1}`;
      const { createWorkerCredential } = await import("../queue/credentials.ts");
      const { token } = await createWorkerCredential(null, name);
      const { startWorker } = await import("../../runner/worker/worker.ts");
      const workerDir = path.join(dataDir, "workers", name);
      mkdirSync(workerDir, { recursive: true });
      const handle = await startWorker({ hubUrl: `unix:${routes.socket}`, token, name, dataDir: workerDir, capacity: opts.capacity ?? 4, labels: { hostNetwork: opts.hostNetwork ?? true } });
      let stopped = false;
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        await handle.stop({ cancelRunning: true });
      };
      stops.push(stop);
      return { instance: handle.instance, stop };
    },
    async close() {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
      await routes?.close();
      const { stopJanitor } = await import("../queue/janitor.ts");
      stopJanitor();
      const { stopFileCollector } = await import("../files/collect.ts");
      stopFileCollector();
      const { stopBoss } = await import("../queue/boss.ts");
      const { closeNotify } = await import("../queue/notify.ts");
      const { closeResultStore } = await import("../results/results-store.ts");
      const { disconnectDb } = await import("../platform/db.ts");
      await stopBoss();
      await closeNotify();
      await closeResultStore();
      const { closeResultsPool } = await import("../results/pg.ts");
      await closeResultsPool().catch(() => undefined);
      const { closeCatalogPool } = await import("../catalog/pool.ts");
      await closeCatalogPool().catch(() => undefined);
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
      await pgServer.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
