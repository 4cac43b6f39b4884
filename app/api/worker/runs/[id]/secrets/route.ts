import { route } from "../../../../../../lib/api/route.ts";
import { admitRunSecrets } from "../../../../../../lib/worker/admission.ts";
import { secretsForWorker } from "../../../../../../lib/worker/worker-secrets.ts";
import { secretsRequestSchema, workerRunParamsSchema } from "../../../../../../lib/schemas/worker.ts";
import { secretsResponseSchema } from "../../../../../../runner/worker/protocol.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// admitted first: the instance must hold the run; the body is a few bytes
/** The values of the secrets a held run binds (a device: only over https, where its project allows). */
export const POST = route(
  { access: "worker", scope: null, admit: admitRunSecrets, summary: "the values of the secrets a run the worker holds binds", params: workerRunParamsSchema, body: secretsRequestSchema, response: secretsResponseSchema, errors: [409] },
  ({ admitted, body }) => secretsForWorker(admitted, body),
);
