import { route } from "../../../../../../lib/api/route.ts";
import { listHosts } from "../../../../../../lib/findings/assets.ts";
import { assetParamsSchema, hostsQuerySchema } from "../../../../../../lib/schemas/findings.ts";
import { hostPageSchema } from "../../../../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/**
 * The project's hosts in address order (keyset: pass `next` as `after`), each with its open services and
 * open findings counted. `q`: an address, a network (`10.0.0.0/24`), or text in a host name, a service's name,
 * product or version; `port`: hosts with that port open.
 */
export const GET = route(
  { access: "user", scope: "read", summary: "list a project's hosts (address order, keyset pages)", params: assetParamsSchema, query: hostsQuerySchema, response: hostPageSchema },
  async ({ viewer, params, query }) => listHosts(viewer, params.slug, query),
);
