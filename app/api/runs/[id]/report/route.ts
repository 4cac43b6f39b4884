import { route } from "../../../../../lib/api/route.ts";
import { downloadResponse, reportDownload } from "../../../../../lib/reports/download.ts";
import { reportQuerySchema } from "../../../../../lib/schemas/reports.ts";
import { runParamsSchema } from "../../../../../lib/schemas/runs.ts";

export const runtime = "nodejs";

/** A run's report (what it ran and saw) as Markdown, HTML or PDF, audited. */
export const GET = route(
  { access: "user", scope: "read", summary: "a run's report: what ran, the assets it saw, the findings it has evidence for (md, html or pdf)", params: runParamsSchema, query: reportQuerySchema, produces: ["application/pdf", "text/markdown", "text/html"] },
  async ({ viewer, params, query }) => downloadResponse(await reportDownload(viewer, { run: params.id }, query)),
);
