import { route } from "../../../../../../lib/api/route.ts";
import { debugOutput } from "../../../../../../lib/debug/worker-relay.ts";
import { validation } from "../../../../../../lib/errors.ts";
import { debugOutputRequestSchema, debugSessionParamsSchema } from "../../../../../../lib/schemas/debug.ts";
import { DEBUG_LIMITS, INSTANCE_HEADER, instanceIdSchema } from "../../../../../../runner/worker/protocol.ts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** A debug session's output from the worker holding its run (its instance in X-Levhub-Instance), idempotent by seq. */
export const POST = route(
  {
    access: "worker",
    scope: null,
    summary: "a debug session's output, from the worker holding its run",
    params: debugSessionParamsSchema,
    body: debugOutputRequestSchema,
    // every frame full, as base64, and the envelope around them
    maxBodyBytes: DEBUG_LIMITS.framesPerRequest * (Math.ceil(DEBUG_LIMITS.frameBytes / 3) * 4 + 64) + 4096,
  },
  async ({ worker, params, body, req }) => {
    const instance = instanceIdSchema.safeParse(req.headers.get(INSTANCE_HEADER) ?? "");
    if (!instance.success) throw validation(`name the worker instance in '${INSTANCE_HEADER}'`);
    return debugOutput(worker, instance.data, params.session, body);
  },
);
