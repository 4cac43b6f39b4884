import { route } from "../../../lib/api/route.ts";
import { readiness } from "../../../lib/health/ready.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Readiness: 200 when the database, the results store, the queue and a live worker answer; 503 naming what is down. */
export const GET = route(
  { access: "public", scope: null, identify: false, summary: "whether the hub can serve runs: database, results store, queue and at least one live worker (503 names what is down)" },
  async () => {
    const r = await readiness();
    return Response.json(r, { status: r.status === "ready" ? 200 : 503, headers: { "cache-control": "no-store" } });
  },
);
