import { route } from "../../../../../lib/api/route.ts";
import { admitInstanceRequest } from "../../../../../lib/worker/admission.ts";
import { fileForWorker } from "../../../../../lib/worker/worker-files.ts";
import { workerFileParamsSchema } from "../../../../../lib/schemas/worker.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: "worker",
    scope: null,
    admit: admitInstanceRequest,
    summary: "a file a run the worker instance holds was given (levrt.File), by its sha256",
    params: workerFileParamsSchema,
    produces: "application/octet-stream",
  },
  ({ admitted, params }) => fileForWorker(admitted.worker, params.sha256),
);
