import { route } from "../../../../lib/api/route.ts";
import { exportDocuments } from "../../../../lib/results/export.ts";
import { exportQuerySchema } from "../../../../lib/schemas/results.ts";

export const GET = route(
  { access: "user", scope: "read", summary: "every result document matching a filter, streamed as JSON, NDJSON or CSV (CSV: `flatten=hosts[].ports[]` makes one row per item of that list)", query: exportQuerySchema, produces: ["application/json", "application/x-ndjson", "text/csv"], errors: [429] },
  async ({ viewer, query: { format, fields, flatten, ...filter } }) => {
    const { stream, contentType } = await exportDocuments(viewer, filter, format, fields, flatten);
    const name = `levhub-results-${new Date().toISOString().slice(0, 19).replaceAll(":", "")}.${format}`;
    return new Response(stream, {
      headers: { "content-type": contentType, "content-disposition": `attachment; filename="${name}"`, "cache-control": "no-store", "x-content-type-options": "nosniff" },
    });
  },
);
