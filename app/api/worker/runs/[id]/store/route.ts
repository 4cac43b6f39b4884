import { route } from "../../../../../../lib/api/route.ts";
import { workerStore } from "../../../../../../lib/worker/worker-store.ts";
import { storeRequestSchema, workerRunParamsSchema } from "../../../../../../lib/schemas/worker.ts";
import { admitRunStore } from "../../../../../../lib/worker/admission.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// admitted first: the instance must hold the run; then the body, one of its documents (docBytes) and the request around it at most
export const POST = route(
  { access: "worker", scope: null, admit: admitRunStore, summary: "the results store, for a run the worker holds", params: workerRunParamsSchema, body: storeRequestSchema },
  ({ admitted, body }) => workerStore(admitted, body),
);
