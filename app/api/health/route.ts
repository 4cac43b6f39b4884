import { route } from "../../../lib/api/route.ts";

export const dynamic = "force-dynamic";

const started = Date.now();

/** Liveness for load balancers and systemd: the process answers. It reads no credential and touches no dependency. */
export const GET = route({ access: "public", scope: null, identify: false, summary: "the process is up (no dependency is checked)" }, async () =>
  Response.json({ status: "ok", uptimeSeconds: Math.round((Date.now() - started) / 1000) }, { headers: { "cache-control": "no-store" } }),
);
