/**
 * The results part of bench:hub: a 1,000,000-document collection inserted directly into the
 * results index (one INSERT … SELECT per run on the bench's PostgreSQL), then plain HTTP against
 * the Next production server: document pages, field queries, a run's documents, a streamed
 * export of all of it (the server's RSS sampled meanwhile), and a 4 MB result stored through the
 * hub's store (MongoDB, then the index) and served. FerretDB gets the same documents on a smaller
 * sample, to show what the index is for (docs/design/results.md).
 *
 * Imports lib/ modules that import "server-only": run node with `--conditions=react-server`.
 */
import { randomBytes } from "node:crypto";
import { MongoClient } from "mongodb";
import { atMost, fmtMb, fmtMemory, fmtMs, measure, processTree, quantile, rssMb, serverMemory, type BenchContext, type Figure, type ServerMemory } from "./common.ts";

export const COLL = "bench|nmap|port_os";
/** documents in the big collection (LEVHUB_BENCH_RESULTS overrides, e.g. for a quick try) */
export const DOCUMENTS = Number(process.env.LEVHUB_BENCH_RESULTS ?? 1_000_000);
/** documents of the same shape in FerretDB (LEVHUB_BENCH_FERRET overrides) */
const FERRET_DOCUMENTS = Number(process.env.LEVHUB_BENCH_FERRET ?? 200_000);
/** the FerretDB part stops inserting after this long and reports how many it got to */
const FERRET_INSERT_MS = 240_000;
const FERRET_QUERY_MS = 60_000;
const BIG_RUNS = 10;
const SMALL_RUN_DOCS = 10;
/** one document in this many has the rare service a selective query looks for */
const RARE_EVERY = 100_000;

const id = () => `bench${randomBytes(8).toString("hex")}`;

/** An nmap-like port_os document for task i (the same shape in SQL and for FerretDB). */
function nmapDoc(i: number): Record<string, unknown> {
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const k = i % 10;
  return {
    target: ip,
    hosts: [
      {
        address: ip,
        status: "up",
        ports: [
          { port: [22, 80, 443, 8080, 3306, 5432, 6379, 25, 53, 110][k], protocol: "tcp", state: i % 7 === 0 ? "closed" : "open", service: ["ssh", "http", "https", "http-proxy", "mysql", "postgresql", "redis", "smtp", "domain", "pop3"][k] },
          { port: 1024 + (i % 60000), protocol: "tcp", state: "open", service: i % RARE_EVERY === 4242 ? "rare-svc" : "unknown" },
        ],
      },
    ],
  };
}

/** The same document built by PostgreSQL for task `g.i`. */
const DOC_SQL = `jsonb_build_object(
  'target', ip, 'hosts', jsonb_build_array(jsonb_build_object('address', ip, 'status', 'up', 'ports', jsonb_build_array(
    jsonb_build_object('port', (ARRAY[22,80,443,8080,3306,5432,6379,25,53,110])[g.i % 10 + 1], 'protocol', 'tcp',
      'state', CASE WHEN g.i % 7 = 0 THEN 'closed' ELSE 'open' END,
      'service', (ARRAY['ssh','http','https','http-proxy','mysql','postgresql','redis','smtp','domain','pop3'])[g.i % 10 + 1]),
    jsonb_build_object('port', 1024 + g.i % 60000, 'protocol', 'tcp', 'state', 'open',
      'service', CASE WHEN g.i % ${RARE_EVERY} = 4242 THEN 'rare-svc' ELSE 'unknown' END)))))`;

interface Seeded {
  pkg: { packageId: string; versionId: string };
  smallRun: { id: string; number: number };
  bigRuns: Array<{ id: string; number: number }>;
  bigDocRun: { id: string; number: number };
}

/** The bench user's personal project: their runs and documents go there. */
export async function personalProject(ctx: BenchContext): Promise<string> {
  const { rows } = await ctx.sql.query<{ id: string }>(`SELECT "id" FROM "Project" WHERE "personalOwnerId" = $1`, [ctx.user.id]);
  return rows[0].id;
}

export async function seedRun(ctx: BenchContext, versionId: string, createdAt: Date): Promise<{ id: string; number: number }> {
  const runId = id();
  const { rows } = await ctx.sql.query<{ number: number }>(
    `INSERT INTO "Run" ("id", "ownerId", "projectId", "versionId", "function", "args", "status", "collections", "createdAt", "startedAt", "endedAt")
     VALUES ($1, $2, $6, $3, 'port_os.scan', '{}', 'succeeded', ARRAY[$4], $5, $5, $5) RETURNING "number"`,
    [runId, ctx.user.id, versionId, COLL, createdAt, await personalProject(ctx)],
  );
  return { id: runId, number: rows[0].number };
}

/** One package, eleven runs (ten of ~100k documents, one of ten), the documents, the counts. */
export async function seedResults(ctx: BenchContext): Promise<Seeded> {
  const ns = id();
  const packageId = id();
  const versionId = id();
  await ctx.sql.query(`INSERT INTO "Namespace" ("id", "name", "ownerId") VALUES ($1, $1, $2)`, [ns, ctx.user.id]);
  await ctx.sql.query(`INSERT INTO "Package" ("id", "namespaceId", "name", "updatedAt") VALUES ($1, $2, 'nmapbench', now())`, [packageId, ns]);
  await ctx.sql.query(`INSERT INTO "PackageVersion" ("id", "packageId", "version", "manifest", "dir") VALUES ($1, $2, '1.0.0', '{"modes":[],"tools":[],"workflows":[]}', '/nonexistent')`, [versionId, packageId]);
  const day = 24 * 3600 * 1000;
  const bigRuns: Seeded["bigRuns"] = [];
  for (let r = 0; r < BIG_RUNS; r++) bigRuns.push(await seedRun(ctx, versionId, new Date(Date.now() - (BIG_RUNS + 1 - r) * day)));
  const smallRun = await seedRun(ctx, versionId, new Date());
  const bigDocRun = await seedRun(ctx, versionId, new Date());
  const perRun = Math.floor((DOCUMENTS - SMALL_RUN_DOCS) / BIG_RUNS);
  const project = await personalProject(ctx);
  const insert = (run: { id: string; number: number }, from: number, count: number) =>
    ctx.sql.query(
      `INSERT INTO "ResultDocument" ("coll", "runId", "projectId", "packageId", "versionId", "function", "job", "task", "storedAt", "bytes", "doc")
       SELECT $1, $2, $3, $4, $5, 'port_os.scan', $6, g.i, now(), octet_length(d.doc::text), d.doc
         FROM generate_series($7::int, $8::int) AS g(i),
              LATERAL (SELECT '10.' || (g.i >> 16) % 256 || '.' || (g.i >> 8) % 256 || '.' || g.i % 256 AS ip) a,
              LATERAL (SELECT ${DOC_SQL} AS doc) d`,
      [COLL, run.id, project, packageId, versionId, run.number, from, from + count - 1],
    );
  for (const [r, run] of bigRuns.entries()) {
    await insert(run, r * perRun + 1, perRun);
    process.stdout.write(`[bench] results: ${((r + 1) * perRun).toLocaleString("en")} documents\r`);
  }
  await insert(smallRun, BIG_RUNS * perRun + 1, DOCUMENTS - BIG_RUNS * perRun);
  await ctx.sql.query(
    `INSERT INTO "ResultCollection" ("projectId", "coll", "documents", "bytes", "lastAt")
     SELECT "projectId", "coll", count(*), sum("bytes"), max("storedAt") FROM "ResultDocument" WHERE "coll" = $1 GROUP BY "projectId", "coll"
     ON CONFLICT ("projectId", "coll") DO UPDATE SET "documents" = EXCLUDED."documents", "bytes" = EXCLUDED."bytes", "lastAt" = EXCLUDED."lastAt"`,
    [COLL],
  );
  await ctx.sql.query(`VACUUM ANALYZE "ResultDocument"`);
  return { pkg: { packageId, versionId }, smallRun, bigRuns, bigDocRun };
}

/**
 * Streams the whole export once, sampling the Next server's RSS (and, once a second, what its
 * memory is made of, from its /metrics); returns rows, bytes, time, the RSS growth and the memory
 * at the largest RSS seen.
 */
export async function streamExport(ctx: BenchContext, path: string): Promise<{ rows: number; bytes: number; ms: number; growthMb: number; baseMb: number; atPeak: ServerMemory }> {
  // the server's whole process tree (Next may serve from a child process)
  const pids = processTree(ctx.nextPid);
  const treeMb = () => pids.reduce((sum, pid) => sum + (rssMb(pid) || 0), 0);
  const baseMb = treeMb();
  let peak = baseMb;
  const sampler = setInterval(() => (peak = Math.max(peak, treeMb())), 100);
  let atPeak = await serverMemory(ctx);
  const breakdown = setInterval(() => {
    void serverMemory(ctx).then((m) => {
      if (!(m.rss <= atPeak.rss)) atPeak = m;
    });
  }, 1000);
  const t0 = performance.now();
  let rows = 0;
  let bytes = 0;
  try {
    const res = await fetch(ctx.baseUrl + path, { headers: { authorization: `Bearer ${ctx.user.token}` } });
    if (!res.ok || !res.body) throw new Error(`GET ${path} answered ${res.status}`);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      for (const b of chunk) if (b === 10) rows++;
    }
  } finally {
    clearInterval(sampler);
    clearInterval(breakdown);
  }
  peak = Math.max(peak, treeMb());
  return { rows, bytes, ms: performance.now() - t0, growthMb: peak - baseMb, baseMb, atPeak };
}

/** A 4 MB result through the hub's own store (MongoDB first, then the index), then its run's first page over HTTP. */
async function bigResult(ctx: BenchContext, run: { id: string; number: number }): Promise<{ ms: number; storeMs: number; bytes: number }> {
  process.env.DATABASE_URL ??= ctx.databaseUrl;
  const { MongoResultStore } = await import("../../runner/src/index.ts");
  const { IndexingResultStore } = await import("../../lib/results/indexing-store.ts");
  const mongo = await MongoResultStore.connect(ctx.mongoUri);
  const store = new IndexingResultStore(mongo);
  const doc = { lines: Array.from({ length: 4096 }, (_, i) => `${String(i).padStart(5, "0")} ${"x".repeat(1018)}`) };
  try {
    const t0 = performance.now();
    await store.put("bench|big", run.number, 1, doc, { owner: ctx.user.username, run: run.id, job: run.number, task: 1, package: "bench.nmapbench", at: new Date() });
    const storeMs = performance.now() - t0;
    const res = await fetch(`${ctx.baseUrl}/api/results/documents?run=${run.id}&limit=50`, { headers: { authorization: `Bearer ${ctx.user.token}` } });
    const body = await res.arrayBuffer();
    if (!res.ok) throw new Error(`first page of the 4 MB result answered ${res.status}`);
    return { ms: performance.now() - t0, storeMs, bytes: body.byteLength };
  } finally {
    await store.close();
    const { closeResultsPool } = await import("../../lib/results/pg.ts");
    await closeResultsPool();
  }
}

/** The same documents in FerretDB: what a filtered query and a run's documents cost there. */
export async function ferret(ctx: BenchContext, smallJob: number): Promise<Figure[]> {
  const client = new MongoClient(ctx.mongoUri, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  const coll = client.db().collection(`${COLL}|ferret`);
  try {
    await coll.drop().catch(() => undefined);
    const t0 = performance.now();
    const batch = 1000;
    let inserted = 0;
    for (let from = 1; from <= FERRET_DOCUMENTS && performance.now() - t0 < FERRET_INSERT_MS; from += batch) {
      const docs: Record<string, unknown>[] = [];
      for (let i = from; i < from + batch && i <= FERRET_DOCUMENTS; i++) {
        // the first ten documents belong to "the small run", like the 10-document run in PostgreSQL
        const job = i <= SMALL_RUN_DOCS ? smallJob : 1;
        docs.push({ _id: { job, task: i }, ...nmapDoc(i) });
      }
      await coll.insertMany(docs, { ordered: false });
      inserted += docs.length;
    }
    const insertS = (performance.now() - t0) / 1000;
    // bounded: a query FerretDB has not answered in FERRET_QUERY_MS counts as that long
    const time = async (what: (opts: { maxTimeMS: number }) => Promise<unknown>, rounds = 3) => {
      const ms: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const t = performance.now();
        await what({ maxTimeMS: FERRET_QUERY_MS }).catch(() => undefined);
        ms.push(performance.now() - t);
        // a query that takes seconds is measured once: repeating it only makes the bench longer
        if (ms[0] > 10_000) break;
      }
      return quantile(ms, 0.5);
    };
    const runDocs = await time((o) => coll.find({ "_id.job": smallJob }, o).toArray());
    const rare = await time((o) => coll.find({ "hosts.ports.service": "rare-svc" }, o).limit(50).toArray());
    const firstPage = await time((o) => coll.find({}, o).sort({ _id: 1 }).limit(50).toArray());
    const n = inserted.toLocaleString("en");
    const info = (figure: string, ms: number): Figure => ({ figure: `FerretDB, ${n} documents: ${figure} (median of up to 3)`, target: "—", measured: fmtMs(ms), met: null });
    return [
      { figure: `FerretDB: ${n} documents inserted (insertMany, 1000 a batch)`, target: "—", measured: `${insertS.toFixed(1)} s`, met: null },
      info("a 10-document run's documents, {'_id.job': n}", runDocs),
      info("a selective filter on a nested field, limit 50", rare),
      info("a first page sorted by _id, limit 50", firstPage),
    ];
  } finally {
    await coll.drop().catch(() => undefined);
    await client.close();
  }
}

export async function benchResults(ctx: BenchContext): Promise<Figure[]> {
  const t0 = performance.now();
  const seeded = await seedResults(ctx);
  console.log(`[bench] results: ${DOCUMENTS.toLocaleString("en")} documents in ${COLL} inserted in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const tok = { token: ctx.user.token };
  const c = encodeURIComponent(COLL);
  const { rows: mid } = await ctx.sql.query<{ id: string }>(`SELECT "id"::text FROM "ResultDocument" WHERE "coll" = $1 ORDER BY "id" OFFSET $2 LIMIT 1`, [COLL, Math.floor(DOCUMENTS / 2)]);
  const pages = await measure(ctx, [`/api/results/documents?coll=${c}&limit=50`, `/api/results/documents?coll=${c}&limit=50&after=${mid[0].id}`, `/api/results/documents?limit=50`], { ...tok, rounds: 20 });
  const runPage = await measure(ctx, [`/api/runs/${seeded.smallRun.id}/documents`, `/api/results/documents?run=${seeded.bigRuns[3].id}&limit=50`], { ...tok, rounds: 20 });
  const q = (s: string) => `/api/results/documents?coll=${c}&limit=50&q=${encodeURIComponent(s)}`;
  const selective = await measure(ctx, [q('hosts.ports.service = "rare-svc"'), q('{"hosts.address": "10.3.2.1"}'), q('hosts[].ports[].service = "rare-svc" and hosts.status = up')], { ...tok, rounds: 20 });
  const common = await measure(ctx, [q("hosts.ports.port = 8080 and hosts.ports.state = open"), q("hosts.ports.service ~ http"), q('{"hosts.ports.port": {"$in": [22, 443]}}')], { ...tok, rounds: 20 });
  const range = await measure(ctx, [q("hosts.ports.port > 61000")], { ...tok, rounds: 5 });
  const collections = await measure(ctx, ["/api/results/collections"], { ...tok, rounds: 20 });
  const chartRun = await measure(ctx, [`/api/results/chart?kind=top&field=hosts.ports.service&run=${seeded.bigRuns[0].id}`, `/api/results/chart?kind=runs&coll=${c}`], { ...tok, rounds: 3 });
  const exported = await streamExport(ctx, `/api/results/export?coll=${c}&format=ndjson`);
  const csv = await streamExport(ctx, `/api/results/export?coll=${c}&format=csv&fields=target,hosts.ports.port,hosts.ports.service`);
  const big = await bigResult(ctx, seeded.bigDocRun);
  const n = DOCUMENTS.toLocaleString("en");
  const figures: Figure[] = [
    atMost(`results page at ${n} documents: first, middle (keyset) and all-collections pages of 50 p95 (p50 ${fmtMs(pages.p50)}; ${pages.n} requests)`, pages.p95, 50, "ms"),
    atMost(`a run's documents in the ${n}-document collection (a 10-document run; a 100k run's first page) p95 (p50 ${fmtMs(runPage.p50)})`, runPage.p95, 50, "ms"),
    atMost(`filtered query, selective equalities (GIN containment hint) at ${n} p95 (p50 ${fmtMs(selective.p50)})`, selective.p95, 50, "ms"),
    atMost(`filtered query, common values (equality, substring, $in) at ${n} p95 (p50 ${fmtMs(common.p50)})`, common.p95, 50, "ms"),
    { figure: `filtered query, a rare range (no index can answer it: scans until 50 match) p95 (p50 ${fmtMs(range.p50)})`, target: "—", measured: fmtMs(range.p95), met: null },
    atMost(`collection tree with counts p95 (p50 ${fmtMs(collections.p50)})`, collections.p95, 50, "ms"),
    { figure: `charts: top services of a 100k run, documents per run of ${n} (p50)`, target: "—", measured: fmtMs(chartRun.p50), met: null },
    atMost(`export of ${exported.rows.toLocaleString("en")} documents as NDJSON (${fmtMb(exported.bytes / 1048576)} in ${(exported.ms / 1000).toFixed(1)} s), Next RSS growth from ${fmtMb(exported.baseMb)}`, exported.growthMb, 100, "MB"),
    atMost(`export as CSV, 3 fields (${(csv.ms / 1000).toFixed(1)} s, ${csv.rows.toLocaleString("en")} lines), Next RSS growth`, csv.growthMb, 100, "MB"),
    { figure: "Next server memory at the NDJSON export's largest RSS (its own /metrics)", target: "—", measured: fmtMemory(exported.atPeak), met: null },
    atMost(`a 4 MB result stored (MongoDB + index: ${fmtMs(big.storeMs)}) and its first page served (${fmtMb(big.bytes / 1048576)})`, big.ms, 1000, "ms"),
  ];
  if (exported.rows !== DOCUMENTS) figures.push({ figure: `export row count (expected ${n})`, target: n, measured: exported.rows.toLocaleString("en"), met: false });
  figures.push(...(await ferret(ctx, seeded.smallRun.number)));
  return figures;
}
