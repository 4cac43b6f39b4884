import { route } from "../../../../../lib/api/route.ts";
import { KIB } from "../../../../../lib/api/body.ts";
import { rerun } from "../../../../../lib/scans/rerun.ts";
import { runParamsSchema } from "../../../../../lib/schemas/runs.ts";
import { rerunBodySchema } from "../../../../../lib/schemas/scans.ts";
import { getSettings } from "../../../../../lib/platform/settings.ts";
import { runSummarySchema } from "../../../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** A new run with the run's function and arguments (or `args`), of its version (or the latest with `latest: true`). */
export const POST = route(
  {
    access: "user", scope: "run",
    summary: "re-run a run (same version unless latest, same arguments unless args)",
    params: runParamsSchema,
    body: rerunBodySchema,
    maxBodyBytes: async () => (await getSettings()).args.totalBytes + 16 * KIB,
    status: 201,
    response: runSummarySchema,
    errors: [429],
  },
  async ({ viewer, params, body }) => rerun(viewer, params.id, body),
);
