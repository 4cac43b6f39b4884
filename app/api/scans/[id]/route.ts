import { route } from "../../../../lib/api/route.ts";
import { KIB } from "../../../../lib/api/body.ts";
import { deleteScan, getScan, updateScan } from "../../../../lib/scans/scans.ts";
import { scanParamsSchema, updateScanBodySchema } from "../../../../lib/schemas/scans.ts";
import { getSettings } from "../../../../lib/platform/settings.ts";
import { removedSchema, scanDetailSchema, scanSummarySchema } from "../../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** A scan with its history of runs; someone else's is 404. */
export const GET = route({ access: "user", scope: "read", summary: "a saved scan and its runs", params: scanParamsSchema, response: scanDetailSchema }, async ({ viewer, params }) => getScan(viewer, params.id));

/** Changes the fields given (`enabled` alone: its owner or an admin; anything else: its owner). */
export const PATCH = route(
  {
    access: "user", scope: "run",
    summary: "change a saved scan (name, version, function, args, cron, timezone, enabled)",
    params: scanParamsSchema,
    body: updateScanBodySchema,
    maxBodyBytes: async () => (await getSettings()).args.totalBytes + 16 * KIB,
    response: scanSummarySchema,
  },
  async ({ viewer, params, body }) => updateScan(viewer, params.id, body),
);

/** Deletes the scan; its runs stay, no longer linked. */
export const DELETE = route({ access: "user", scope: "run", summary: "delete a saved scan", params: scanParamsSchema, response: removedSchema("deleted") }, async ({ viewer, params }) => {
  await deleteScan(viewer, params.id);
  return { deleted: params.id };
});
