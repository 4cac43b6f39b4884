import { route } from "../../../../lib/api/route.ts";
import { exportAudit } from "../../../../lib/audit/trail.ts";
import { auditExportQuerySchema } from "../../../../lib/schemas/audit.ts";

export const runtime = "nodejs";

/** The whole filtered audit trail as CSV or JSON, streamed (through the export pool and its limits). */
export const GET = route(
  { access: "user", scope: "read", summary: "the audit trail as CSV or JSON, streamed", query: auditExportQuerySchema, produces: ["text/csv", "application/json"], errors: [429] },
  async ({ viewer, query: { format, ...filter } }) => {
    const { stream, contentType } = await exportAudit(viewer, filter, format);
    const name = `levhub-audit-${new Date().toISOString().slice(0, 19).replaceAll(":", "")}.${format}`;
    return new Response(stream, {
      headers: { "content-type": contentType, "content-disposition": `attachment; filename="${name}"`, "cache-control": "no-store", "x-content-type-options": "nosniff" },
    });
  },
);
