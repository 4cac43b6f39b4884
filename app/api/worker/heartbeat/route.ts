import { route } from "../../../../lib/api/route.ts";
import { heartbeat } from "../../../../lib/queue/workers.ts";
import { heartbeatRequestSchema } from "../../../../lib/schemas/worker.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route({ access: "worker", scope: null, summary: "a worker instance is alive: cancels and ended runs in answer", body: heartbeatRequestSchema }, ({ worker, body }) =>
  heartbeat(worker, body),
);
