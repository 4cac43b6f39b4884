import { z } from "zod";
import { route } from "../../../lib/api/route.ts";
import { KIB } from "../../../lib/api/body.ts";
import { createScan, listScans } from "../../../lib/scans/scans.ts";
import { createScanBodySchema, listScansQuerySchema } from "../../../lib/schemas/scans.ts";
import { getSettings } from "../../../lib/platform/settings.ts";
import { scanSummarySchema } from "../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** The saved scans of the caller's projects by name (an admin's: every project's; `?all=false`: only the caller's; `?project=<slug>`: one project). */
export const GET = route({ access: "user", scope: "read", summary: "list saved scans", query: listScansQuerySchema, response: z.array(scanSummarySchema) }, async ({ viewer, query }) => listScans(viewer, query));

/** Saves `{name, project?, package, version?, function, args, cron?, timezone?, enabled?}` in a project where the caller may run; 422 with fieldErrors (`cron`, `timezone`, `args.<param>`), nothing stored. */
export const POST = route(
  {
    access: "user", scope: "run",
    summary: "save a run configuration as a scan, optionally on a cron schedule",
    body: createScanBodySchema,
    maxBodyBytes: async () => (await getSettings()).args.totalBytes + 16 * KIB,
    status: 201,
    response: scanSummarySchema,
    errors: [429],
  },
  async ({ viewer, body }) => createScan(viewer, body),
);
