import { route } from "../../../../../lib/api/route.ts";
import { admitInstanceRequest } from "../../../../../lib/worker/admission.ts";
import { packageArchiveForWorker } from "../../../../../lib/worker/worker-files.ts";
import { workerPackageParamsSchema } from "../../../../../lib/schemas/worker.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: "worker",
    scope: null,
    admit: admitInstanceRequest,
    summary: "a package version's files (.tar.gz) for a run the worker instance holds",
    params: workerPackageParamsSchema,
    produces: "application/gzip",
  },
  ({ admitted, params }) => packageArchiveForWorker(admitted.worker, params.sha256),
);
