import { route } from "../../../../../../lib/api/route.ts";
import { getFinding } from "../../../../../../lib/findings/findings.ts";
import { findingParamsSchema } from "../../../../../../lib/schemas/findings.ts";
import { findingDetailSchema } from "../../../../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** One finding: its asset, its evidence (each with the run, document and field it was in, an excerpt and the sha256 of the whole value) and its state's history. */
export const GET = route(
  { access: "user", scope: "read", summary: "a finding of a project: evidence and triage history", params: findingParamsSchema, response: findingDetailSchema },
  async ({ viewer, params }) => getFinding(viewer, params.slug, params.id),
);
