import { route } from "../../../../../../lib/api/route.ts";
import { workerStore } from "../../../../../../lib/worker/worker-store.ts";
import { storeRequestSchema, workerRunParamsSchema } from "../../../../../../lib/schemas/worker.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route(
  // a document may be as large as the largest docBytes an admin may set, plus the JSON around it
  { access: "worker", scope: null, summary: "the results store, for a run the worker holds", params: workerRunParamsSchema, body: storeRequestSchema, maxBodyBytes: 257 * 1024 * 1024 },
  ({ worker, params, body }) => workerStore(worker, params.id, body),
);
