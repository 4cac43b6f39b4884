import { route } from "../../../../../../lib/api/route.ts";
import { ingestEvents } from "../../../../../../lib/runs/index.ts";
import { eventsRequestSchema, workerRunParamsSchema } from "../../../../../../lib/schemas/worker.ts";
import { admitRunEvents } from "../../../../../../lib/worker/admission.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// admitted first: the instance must hold the run; then the body, one batch at most (EVENT_BATCH_LIMITS)
export const POST = route(
  { access: "worker", scope: null, admit: admitRunEvents, summary: "a worker's events of a run it holds (idempotent by seq)", params: workerRunParamsSchema, body: eventsRequestSchema },
  ({ admitted, body }) => ingestEvents(admitted.worker, admitted.run, body),
);
