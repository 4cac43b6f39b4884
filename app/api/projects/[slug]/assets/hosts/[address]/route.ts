import { route } from "../../../../../../../lib/api/route.ts";
import { getHost } from "../../../../../../../lib/findings/assets.ts";
import { hostParamsSchema } from "../../../../../../../lib/schemas/findings.ts";
import { hostDetailSchema } from "../../../../../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** One host of the project: its services, its findings, and the runs that saw it (newest first) with the services each saw. */
export const GET = route(
  { access: "user", scope: "read", summary: "a host of a project: services, findings, and what each run saw", params: hostParamsSchema, response: hostDetailSchema },
  async ({ viewer, params }) => getHost(viewer, params.slug, params.address),
);
