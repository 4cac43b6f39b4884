import { route } from "../../lib/api/route.ts";
import { scrapeMetrics } from "../../lib/metrics/scrape.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Prometheus metrics of this hub web process (and the database's, read at most every few seconds); the metrics token only. */
export const GET = route({ access: "metrics", scope: null, summary: "Prometheus metrics (text exposition format 0.0.4)", produces: "text/plain" }, async () => {
  const { body, contentType } = await scrapeMetrics();
  return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
});
