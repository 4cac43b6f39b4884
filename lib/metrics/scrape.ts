import "server-only";
import { db } from "../platform/db.ts";
import { RunStatus, WorkerState } from "../generated/prisma/enums.ts";
import { QUEUE_KINDS, queueKind, WORKER_KINDS, type QueueKind } from "./definitions.ts";
import { hubMetrics, type HubMetrics } from "./registry.ts";

/** What a scrape reads from the database: four small queries, answered from indexes or small tables. */
export interface DatabaseSnapshot {
  runs: { status: string; count: number }[];
  /** queued runs per pg-boss queue, with the age of the oldest */
  queues: { queue: string | null; count: number; oldestAgeSeconds: number }[];
  workers: { state: string; device: boolean; count: number }[];
  /** live hub worker instances (users' devices are theirs: not named here) */
  live: { name: string; instance: string; ageSeconds: number }[];
}

/** A slow database must not hold a scrape: each query is cut off after this. */
const STATEMENT_TIMEOUT_MS = 2000;
/** At most this many instances get a heartbeat series (the newest heard from). */
const MAX_LIVE_INSTANCES = 500;

/** How long a snapshot is reused, so scrapers cannot hammer the database: LEVHUB_METRICS_CACHE_MS (0–60 000, default 5 000). */
export function snapshotMaxAgeMs(): number {
  const n = Number(process.env.LEVHUB_METRICS_CACHE_MS);
  return Number.isFinite(n) && n >= 0 ? Math.min(Math.floor(n), 60_000) : 5_000;
}

export async function readDatabaseSnapshot(): Promise<DatabaseSnapshot> {
  return db().$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = ${STATEMENT_TIMEOUT_MS}`);
      // an index-only count over Run(status), and the queued runs alone through the same index
      const runs = await tx.$queryRaw<{ status: string; n: bigint }[]>`SELECT status::text AS status, count(*) AS n FROM "Run" GROUP BY status`;
      const queues = await tx.$queryRaw<{ queue: string | null; n: bigint; age: number | null }[]>`
        SELECT queue, count(*) AS n, EXTRACT(EPOCH FROM now() - min("queuedAt"))::float8 AS age FROM "Run" WHERE status = 'queued' GROUP BY queue`;
      const workers = await tx.$queryRaw<{ state: string; device: boolean; n: bigint }[]>`
        SELECT w.state::text AS state, (c."ownerId" IS NOT NULL) AS device, count(*) AS n
          FROM "Worker" w JOIN "WorkerCredential" c ON c.id = w."credentialId" GROUP BY 1, 2`;
      const live = await tx.$queryRaw<{ name: string; instance: string; age: number }[]>`
        SELECT w.name, w.instance, EXTRACT(EPOCH FROM now() - w."lastSeenAt")::float8 AS age
          FROM "Worker" w JOIN "WorkerCredential" c ON c.id = w."credentialId"
         WHERE w.state IN ('online', 'draining') AND c."ownerId" IS NULL
         ORDER BY w."lastSeenAt" DESC LIMIT ${MAX_LIVE_INSTANCES}`;
      return {
        runs: runs.map((r) => ({ status: r.status, count: Number(r.n) })),
        queues: queues.map((q) => ({ queue: q.queue, count: Number(q.n), oldestAgeSeconds: Math.max(0, q.age ?? 0) })),
        workers: workers.map((w) => ({ state: w.state, device: w.device, count: Number(w.n) })),
        live: live.map((l) => ({ name: l.name, instance: l.instance, ageSeconds: Math.max(0, l.age) })),
      };
    },
    { timeout: STATEMENT_TIMEOUT_MS * 3, maxWait: STATEMENT_TIMEOUT_MS },
  );
}

/**
 * Sets the database gauges from a snapshot, or leaves them out (and `levhub_metrics_database_up`
 * 0) without one. Every status, queue kind and state gets a series, 0 included, so a value that
 * drops to nothing reads 0 rather than vanishing.
 */
export function applySnapshot(m: HubMetrics, snap: DatabaseSnapshot | null): void {
  for (const g of [m.runs, m.queueDepth, m.queueOldestAge, m.workers, m.heartbeatAge]) g.reset();
  m.databaseUp.set(snap ? 1 : 0);
  if (!snap) return;
  const runs = new Map(snap.runs.map((r) => [r.status, r.count]));
  for (const status of Object.values(RunStatus)) m.runs.set({ status }, runs.get(status) ?? 0);
  const depth = new Map<QueueKind, number>(QUEUE_KINDS.map((k) => [k, 0]));
  const oldest = new Map<QueueKind, number>(QUEUE_KINDS.map((k) => [k, 0]));
  for (const q of snap.queues) {
    const kind = queueKind(q.queue);
    depth.set(kind, depth.get(kind)! + q.count);
    oldest.set(kind, Math.max(oldest.get(kind)!, q.oldestAgeSeconds));
  }
  for (const queue of QUEUE_KINDS) {
    m.queueDepth.set({ queue }, depth.get(queue)!);
    m.queueOldestAge.set({ queue }, oldest.get(queue)!);
  }
  for (const state of Object.values(WorkerState)) {
    for (const kind of WORKER_KINDS) {
      const n = snap.workers.find((w) => w.state === state && w.device === (kind === "device"))?.count ?? 0;
      m.workers.set({ state, kind }, n);
    }
  }
  for (const l of snap.live) m.heartbeatAge.set({ worker: l.name, worker_instance: l.instance }, l.ageSeconds);
}

const g = globalThis as typeof globalThis & { __levhubScrape?: { at: number; pending: Promise<DatabaseSnapshot | null> } };

/** The snapshot, read at most once per `snapshotMaxAgeMs()` however many scrapes come (a failure too). */
function cachedSnapshot(now = Date.now()): Promise<DatabaseSnapshot | null> {
  const cached = g.__levhubScrape;
  if (cached && now - cached.at < snapshotMaxAgeMs()) return cached.pending;
  const pending = readDatabaseSnapshot().catch((err: unknown) => {
    console.error("[levhub] metrics: the database did not answer the scrape:", err instanceof Error ? err.message : err);
    return null;
  });
  g.__levhubScrape = { at: now, pending };
  return pending;
}

/** The exposition a scrape gets: the process's metrics with the database gauges as of at most a few seconds ago. */
export async function scrapeMetrics(): Promise<{ body: string; contentType: string }> {
  const m = hubMetrics();
  applySnapshot(m, await cachedSnapshot());
  return { body: await m.registry.metrics(), contentType: m.registry.contentType };
}
