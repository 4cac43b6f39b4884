import { route } from "../../../../../lib/api/route.ts";
import { downloadResponse, evidenceDownload } from "../../../../../lib/reports/download.ts";
import { runParamsSchema } from "../../../../../lib/schemas/runs.ts";

export const runtime = "nodejs";

/** A run's evidence bundle (tar.gz: its documents as canonical JSON, manifest.json, SHA256SUMS), audited. */
export const GET = route(
  { access: "user", scope: "read", summary: "a run's evidence bundle: its record and documents with their sha256 (tar.gz)", params: runParamsSchema, produces: "application/gzip" },
  async ({ viewer, params }) => downloadResponse(await evidenceDownload(viewer, params.id)),
);
