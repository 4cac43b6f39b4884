import { route } from "../../../../../../lib/api/route.ts";
import { ingestEvents } from "../../../../../../lib/runs/index.ts";
import { eventsRequestSchema, workerRunParamsSchema } from "../../../../../../lib/schemas/worker.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route(
  { access: "worker", summary: "a worker's events of a run it holds (idempotent by seq)", params: workerRunParamsSchema, body: eventsRequestSchema, maxBodyBytes: 8 * 1024 * 1024 },
  ({ worker, params, body }) => ingestEvents(worker, params.id, body),
);
