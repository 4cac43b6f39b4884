import { route } from "../../../../../../lib/api/route.ts";
import { admitInstanceRequest } from "../../../../../../lib/worker/admission.ts";
import { debugOutput } from "../../../../../../lib/debug/worker-relay.ts";
import { debugOutputRequestSchema, debugSessionParamsSchema } from "../../../../../../lib/schemas/debug.ts";
import { DEBUG_LIMITS } from "../../../../../../runner/worker/debug-protocol.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** A debug session's output from the worker holding its run (its instance in X-Levhub-Instance), idempotent by seq. */
export const POST = route(
  {
    access: "worker",
    scope: null,
    // the instance named in X-Levhub-Instance, admitted like every worker request (lib/worker/admission.ts)
    admit: admitInstanceRequest,
    summary: "a debug session's output, from the worker holding its run",
    params: debugSessionParamsSchema,
    body: debugOutputRequestSchema,
    // every frame full, as base64, and the envelope around them
    maxBodyBytes: DEBUG_LIMITS.framesPerRequest * (Math.ceil(DEBUG_LIMITS.frameBytes / 3) * 4 + 64) + 4096,
  },
  async ({ admitted, params, body }) => {
    return debugOutput(admitted.caller, admitted.worker, params.session, body);
  },
);
