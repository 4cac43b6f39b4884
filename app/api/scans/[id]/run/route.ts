import { route } from "../../../../../lib/api/route.ts";
import { runScanNow } from "../../../../../lib/scans/fire.ts";
import { scanParamsSchema } from "../../../../../lib/schemas/scans.ts";
import { runSummarySchema } from "../../../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** Starts the scan's run now (its owner), linked to the scan; the schedule is untouched. */
export const POST = route({ access: "user", scope: "run", summary: "run a saved scan now", params: scanParamsSchema, status: 201, response: runSummarySchema, errors: [429] }, async ({ viewer, params }) => runScanNow(viewer, params.id));
