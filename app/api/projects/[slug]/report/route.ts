import { route } from "../../../../../lib/api/route.ts";
import { downloadResponse, reportDownload } from "../../../../../lib/reports/download.ts";
import { projectParamsSchema } from "../../../../../lib/schemas/projects.ts";
import { reportQuerySchema } from "../../../../../lib/schemas/reports.ts";

export const runtime = "nodejs";

/** The project's engagement report as Markdown, HTML or PDF (members), audited. */
export const GET = route(
  { access: "user", scope: "read", summary: "a project's engagement report: scope, runs, assets, findings by severity with evidence, changes since a date (md, html or pdf)", params: projectParamsSchema, query: reportQuerySchema, produces: ["application/pdf", "text/markdown", "text/html"] },
  async ({ viewer, params, query }) => downloadResponse(await reportDownload(viewer, { project: params.slug }, query)),
);
