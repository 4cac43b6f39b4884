import { route } from "../../../../../lib/api/route.ts";
import { packageArchiveForWorker } from "../../../../../lib/worker/worker-files.ts";
import { INSTANCE_HEADER, workerPackageParamsSchema } from "../../../../../lib/schemas/worker.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(
  { access: "worker", scope: null, summary: "a package version's files (.tar.gz) for a run the worker instance holds", params: workerPackageParamsSchema, produces: "application/gzip" },
  ({ worker, params, req }) => packageArchiveForWorker(worker, req.headers.get(INSTANCE_HEADER) ?? "", params.sha256),
);
