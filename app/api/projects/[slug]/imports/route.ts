import { route } from "../../../../../lib/api/route.ts";
import { startImport } from "../../../../../lib/imports/imports.ts";
import { importBodySchema } from "../../../../../lib/schemas/imports.ts";
import { projectParamsSchema } from "../../../../../lib/schemas/projects.ts";
import { runSummarySchema } from "../../../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/**
 * Imports a report uploaded first (`POST /api/files` with `project`): `{format: "nmap"|"nuclei"|"sarif", file}` starts a run
 * of the hub's importer (`levhub.importers`) in the project; its hosts, services and findings follow from the run's document.
 * 201 with the run; 403 for a viewer, 404 for a project or file the caller may not use, 422 naming the field.
 */
export const POST = route(
  { access: "user", scope: "run", summary: "import an nmap XML, nuclei JSONL or SARIF report into a project", params: projectParamsSchema, body: importBodySchema, status: 201, response: runSummarySchema, errors: [429] },
  async ({ viewer, params, body }) => startImport(viewer, params.slug, body),
);
