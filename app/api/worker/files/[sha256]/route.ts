import { route } from "../../../../../lib/api/route.ts";
import { fileForWorker } from "../../../../../lib/worker/worker-files.ts";
import { INSTANCE_HEADER, workerFileParamsSchema } from "../../../../../lib/schemas/worker.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(
  { access: "worker", scope: null, summary: "a file a run the worker instance holds was given (levrt.File), by its sha256", params: workerFileParamsSchema, produces: "application/octet-stream" },
  ({ worker, params, req }) => fileForWorker(worker, req.headers.get(INSTANCE_HEADER) ?? "", params.sha256),
);
