import { route } from "../../../../../lib/api/route.ts";
import { imageTarForWorker } from "../../../../../lib/worker/worker-files.ts";
import { INSTANCE_HEADER, workerImageParamsSchema } from "../../../../../lib/schemas/worker.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(
  { access: "worker", scope: null, summary: "`docker save` of an image a held run's policy names", params: workerImageParamsSchema },
  ({ worker, params, req }) => imageTarForWorker(worker, req.headers.get(INSTANCE_HEADER) ?? "", params.imageId),
);
