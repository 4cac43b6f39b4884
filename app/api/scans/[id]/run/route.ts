import { route } from "../../../../../lib/api/route.ts";
import { runScanNow } from "../../../../../lib/scans/fire.ts";
import { scanParamsSchema } from "../../../../../lib/schemas/scans.ts";

export const runtime = "nodejs";

/** Starts the scan's run now (its owner), linked to the scan; the schedule is untouched. */
export const POST = route({ access: "user", scope: "run", summary: "run a saved scan now", params: scanParamsSchema, status: 201 }, async ({ viewer, params }) => runScanNow(viewer, params.id));
