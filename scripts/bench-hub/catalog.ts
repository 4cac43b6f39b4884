/**
 * The catalog part of bench:hub: 10,000 generated packages (100,000 functions), then plain HTTP
 * against the Next production server: the search API, the browse page, the home page, and ten
 * catalog requests at once.
 */
import { atMost, fmtMs, measure, type BenchContext, type Figure } from "./common.ts";
import { BENCH_CATALOG, seedCatalog } from "./catalog-data.ts";

/** Searches a user types: a name word, a typo, two docstring words, a prefix, a query with a filter. */
export const CATALOG_QUERIES = ["q=hello", "q=nmp", "q=subdomain+enumeration", "q=scan", "q=password&tactic=Discovery", "q=kerberos+ticket&page=2"];

export async function benchCatalog(ctx: BenchContext): Promise<Figure[]> {
  const t0 = performance.now();
  const seeded = await seedCatalog(ctx.sql, BENCH_CATALOG, ctx.user.id);
  console.log(`[bench] catalog: ${seeded.packages} packages, ${seeded.functions} functions generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const api = CATALOG_QUERIES.map((q) => `/api/packages?${q}`);
  const pages = CATALOG_QUERIES.map((q) => `/browse?${q}`);
  const apiAnon = await measure(ctx, api, { rounds: 10 });
  const apiUser = await measure(ctx, api, { rounds: 5, token: ctx.user.token });
  const browse = await measure(ctx, pages, { rounds: 10 });
  const browseAll = await measure(ctx, ["/browse", "/browse?page=100", "/browse?tactic=Discovery&category=scanner"], { rounds: 10 });
  const home = await measure(ctx, ["/"], { rounds: 30 });
  const concurrent = await measure(ctx, [...api, ...pages], { rounds: 8, concurrency: 10 });
  // one word in most documents: what a broad query costs (the ranking reads every match)
  const broad = await measure(ctx, ["/api/packages?q=the"], { rounds: 10 });
  const broadTotal = ((await (await fetch(`${ctx.baseUrl}/api/packages?q=the&pageSize=1`)).json()) as { total: number }).total;

  return [
    atMost(`GET /api/packages?q=… p95 (p50 ${fmtMs(apiAnon.p50)}; ${apiAnon.n} requests, ${CATALOG_QUERIES.length} queries)`, apiAnon.p95, 50, "ms"),
    atMost(`GET /api/packages?q=… with a token p95 (p50 ${fmtMs(apiUser.p50)})`, apiUser.p95, 50, "ms"),
    atMost(`/browse?q=… p95 (p50 ${fmtMs(browse.p50)})`, browse.p95, 50, "ms"),
    atMost(`/browse without a query, page 100, two filters p95 (p50 ${fmtMs(browseAll.p50)})`, browseAll.p95, 50, "ms"),
    { figure: `home page / p95 (p50 ${fmtMs(home.p50)})`, target: "—", measured: fmtMs(home.p95), met: null },
    atMost(`10 concurrent catalog requests p95 (p50 ${fmtMs(concurrent.p50)}; ${concurrent.n} requests)`, concurrent.p95, 200, "ms"),
    { figure: `broad query q=the (${broadTotal} of ${seeded.packages} match) p95 (p50 ${fmtMs(broad.p50)})`, target: "—", measured: fmtMs(broad.p95), met: null },
  ];
}
