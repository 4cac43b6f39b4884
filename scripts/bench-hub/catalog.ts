/**
 * The catalog part of bench:hub: 10,000 generated packages (100,000 functions), then plain HTTP
 * against the Next production server: the search API, the browse page, the home page, and ten
 * catalog requests at once; the same searches again while busy loops hold part of the CPU
 * (LEVHUB_BENCH_LOAD of them, default 1), so that quiet and loaded figures come from one run.
 */
import { loadavg } from "node:os";
import { atMost, cpuLoad, fmtMemory, fmtMs, measure, serverMemory, type BenchContext, type Figure, type Timing } from "./common.ts";

/** The p50 and the Next server's CPU per request beside a p95. */
const detail = (t: Timing) => `p50 ${fmtMs(t.p50)}, server CPU ${fmtMs(t.serverCpuMs)} a request`;
import { BENCH_CATALOG, seedCatalog } from "./catalog-data.ts";

/** Searches a user types: a name word, a typo, two docstring words, a prefix, a query with a filter. */
export const CATALOG_QUERIES = ["q=hello", "q=nmp", "q=subdomain+enumeration", "q=scan", "q=password&tactic=Discovery", "q=kerberos+ticket&page=2"];

const LOAD_PROCS = Number(process.env.LEVHUB_BENCH_LOAD ?? 1);

/** One pass over the catalog's requests; `label` says quiet or under load. */
async function catalogPass(ctx: BenchContext, label: string): Promise<Figure[]> {
  const api = CATALOG_QUERIES.map((q) => `/api/packages?${q}`);
  const pages = CATALOG_QUERIES.map((q) => `/browse?${q}`);
  const load0 = loadavg()[0];
  const apiAnon = await measure(ctx, api, { rounds: 10 });
  const apiUser = await measure(ctx, api, { rounds: 5, token: ctx.user.token });
  const browse = await measure(ctx, pages, { rounds: 10 });
  const browseAll = await measure(ctx, ["/browse", "/browse?page=100", "/browse?tactic=Discovery&category=scanner"], { rounds: 10 });
  const home = await measure(ctx, ["/"], { rounds: 30 });
  const concurrent = await measure(ctx, [...api, ...pages], { rounds: 8, concurrency: 10 });
  const load = `${label}, load ${load0.toFixed(1)}→${loadavg()[0].toFixed(1)}`;
  return [
    atMost(`[${load}] GET /api/packages?q=… p95 (${detail(apiAnon)}; ${apiAnon.n} requests, ${CATALOG_QUERIES.length} queries)`, apiAnon.p95, 50, "ms"),
    atMost(`[${label}] GET /api/packages?q=… with a token p95 (${detail(apiUser)})`, apiUser.p95, 50, "ms"),
    atMost(`[${label}] /browse?q=… p95 (${detail(browse)})`, browse.p95, 50, "ms"),
    atMost(`[${label}] /browse without a query, page 100, two filters p95 (${detail(browseAll)})`, browseAll.p95, 50, "ms"),
    { figure: `[${label}] home page / p95 (${detail(home)})`, target: "—", measured: fmtMs(home.p95), met: null },
    atMost(`[${label}] 10 concurrent catalog requests p95 (${detail(concurrent)}; ${concurrent.n} requests)`, concurrent.p95, 200, "ms"),
  ];
}

/**
 * PostgreSQL transactions per search request, whoever makes them (the catalog, the viewer's
 * token, the settings): the database's commit counter around `n` sequential searches. A statement
 * outside a transaction is one; a transaction of several statements counts once.
 */
async function transactionsPerSearch(ctx: BenchContext, path: string, n: number, token?: string): Promise<number> {
  const commits = async () => {
    // the server's backends report their counters at most once a second
    await new Promise((r) => setTimeout(r, 1500));
    const { rows } = await ctx.sql.query<{ n: string }>(`SELECT "xact_commit"::text AS n FROM "pg_stat_database" WHERE "datname" = current_database()`);
    return Number(rows[0].n);
  };
  await measure(ctx, [path], { rounds: 1, token });
  const before = await commits();
  for (let i = 0; i < n; i++) await (await fetch(ctx.baseUrl + path, { headers: token ? { authorization: `Bearer ${token}` } : {} })).arrayBuffer();
  // the reading itself is one
  return (await commits()) - before - 1;
}

export async function benchCatalog(ctx: BenchContext): Promise<Figure[]> {
  const t0 = performance.now();
  const seeded = await seedCatalog(ctx.sql, BENCH_CATALOG, ctx.user.id);
  console.log(`[bench] catalog: ${seeded.packages} packages, ${seeded.functions} functions generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const n = 20;
  const anonTx = (await transactionsPerSearch(ctx, "/api/packages?q=scan&tactic=Discovery", n)) / n;
  const userTx = (await transactionsPerSearch(ctx, "/api/packages?q=scan&tactic=Discovery", n, ctx.user.token)) / n;
  const quiet = await catalogPass(ctx, "quiet");
  // one word in most documents: what a broad query costs (the ranking reads every match)
  const broad = await measure(ctx, ["/api/packages?q=the"], { rounds: 10 });
  const broadTotal = ((await (await fetch(`${ctx.baseUrl}/api/packages?q=the&pageSize=1`)).json()) as { total: number }).total;
  const stop = cpuLoad(LOAD_PROCS, 120_000);
  let loaded: Figure[];
  try {
    // the busy loops' share of the CPU shows in the load average after a few seconds
    await new Promise((r) => setTimeout(r, 5000));
    loaded = await catalogPass(ctx, `${LOAD_PROCS} busy loop${LOAD_PROCS === 1 ? "" : "s"}`);
  } finally {
    stop();
  }
  const memory = await serverMemory(ctx);
  return [
    { figure: `PostgreSQL transactions per search request (GET /api/packages?q=scan&tactic=Discovery, mean of ${n}): anonymous / with a token`, target: "1 for the search", measured: `${anonTx.toFixed(1)} / ${userTx.toFixed(1)}`, met: null },
    ...quiet,
    { figure: `[quiet] broad query q=the (${broadTotal} of ${seeded.packages} match) p95 (p50 ${fmtMs(broad.p50)})`, target: "—", measured: fmtMs(broad.p95), met: null },
    ...loaded,
    { figure: `Next server memory after the catalog (its own /metrics)`, target: "—", measured: fmtMemory(memory), met: null },
  ];
}
