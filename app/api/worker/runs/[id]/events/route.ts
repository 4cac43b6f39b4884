import { route } from "../../../../../../lib/api/route.ts";
import { ingestEvents } from "../../../../../../lib/runs/index.ts";
import { eventsRequestSchema, workerRunParamsSchema } from "../../../../../../lib/schemas/worker.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// a batch of 200 events may carry long log lines, and `run.finished` every task record of a large run
export const POST = route(
  { access: "worker", scope: null, summary: "a worker's events of a run it holds (idempotent by seq)", params: workerRunParamsSchema, body: eventsRequestSchema, maxBodyBytes: 64 * 1024 * 1024 },
  ({ worker, params, body }) => ingestEvents(worker, params.id, body),
);
