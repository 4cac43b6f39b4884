import { route } from "../../../../lib/api/route.ts";
import { registerWorker } from "../../../../lib/queue/workers.ts";
import { registerRequestSchema } from "../../../../lib/schemas/worker.ts";
import { admitRegistration } from "../../../../lib/worker/admission.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route(
  { access: "worker", scope: null, admit: admitRegistration, summary: "register a worker process (a new instance every time)", body: registerRequestSchema, status: 201 },
  ({ worker, body }) => registerWorker(worker, body),
);
