import { route } from "../../../../../../lib/api/route.ts";
import { listServices } from "../../../../../../lib/findings/assets.ts";
import { assetParamsSchema, servicesQuerySchema } from "../../../../../../lib/schemas/findings.ts";
import { servicePageSchema } from "../../../../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** The project's services, newest first (keyset: pass `next` as `after`); `q` and `port` as for hosts. */
export const GET = route(
  { access: "user", scope: "read", summary: "list a project's services (newest first, keyset pages)", params: assetParamsSchema, query: servicesQuerySchema, response: servicePageSchema },
  async ({ viewer, params, query }) => listServices(viewer, params.slug, query),
);
