import { route } from "../../../lib/api/route.ts";
import { KIB } from "../../../lib/api/body.ts";
import { listRuns, startRun } from "../../../lib/runs/index.ts";
import { listRunsQuerySchema, startRunBodySchema } from "../../../lib/schemas/runs.ts";
import { getSettings } from "../../../lib/platform/settings.ts";
import { runListSchema, runSummarySchema } from "../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** Starts a run: `{package: "ns.name", version?, function, args}` or `{versionId, function, args}`. 422 with fieldErrors (`args.<param>`, `function`, `version`, `package`, `device`). */
export const POST = route(
  {
    access: "user", scope: "run",
    summary: "start a run of a package function",
    body: startRunBodySchema,
    // the arguments may be as large as the admin allows, plus the envelope around them
    maxBodyBytes: async () => (await getSettings()).args.totalBytes + 16 * KIB,
    status: 201,
    response: runSummarySchema,
    errors: [429],
  },
  async ({ viewer, body }) => startRun(viewer, body),
);

/** The caller's runs (an admin's `?all=true`: everyone's), newest first. */
export const GET = route({ access: "user", scope: "read", summary: "list runs", query: listRunsQuerySchema, response: runListSchema }, async ({ viewer, query }) => listRuns(viewer, query));
