import { route } from "../../../../lib/api/route.ts";
import { heartbeat } from "../../../../lib/queue/workers.ts";
import { heartbeatRequestSchema } from "../../../../lib/schemas/worker.ts";
import { admitInstanceRequest } from "../../../../lib/worker/admission.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route(
  { access: "worker", scope: null, admit: admitInstanceRequest, summary: "a worker instance is alive: cancels and ended runs in answer", body: heartbeatRequestSchema },
  ({ admitted, body }) => heartbeat(admitted.worker, body),
);
