import { route } from "../../../../../lib/api/route.ts";
import { getPackage } from "../../../../../lib/catalog/catalog.ts";
import { packageParamsSchema, packageQuerySchema } from "../../../../../lib/schemas/packages.ts";
import { packageDetailSchema } from "../../../../../lib/schemas/responses.ts";

/** A package with its versions and the manifest of `?version=` (default the latest). */
export const GET = route(
  { access: "public", scope: "read", summary: "a package the caller may see, with its versions", params: packageParamsSchema, query: packageQuerySchema, response: packageDetailSchema },
  async ({ viewer, params, query }) => getPackage(viewer, params.ns, params.name, query.version),
);
