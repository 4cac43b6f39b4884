import { route } from "../../../../../lib/api/route.ts";
import { admitInstanceRequest } from "../../../../../lib/worker/admission.ts";
import { imageTarForWorker } from "../../../../../lib/worker/worker-files.ts";
import { workerImageParamsSchema } from "../../../../../lib/schemas/worker.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(
  { access: "worker", scope: null, admit: admitInstanceRequest, summary: "`docker save` of an image a held run's policy names", params: workerImageParamsSchema },
  ({ admitted, params }) => imageTarForWorker(admitted.worker, params.imageId),
);
