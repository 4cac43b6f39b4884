import { route } from "../../../../../../../lib/api/route.ts";
import { publishedVersion } from "../../../../../../../lib/packages/version-fetch.ts";
import { versionParamsSchema } from "../../../../../../../lib/schemas/packages.ts";
import { publishedVersionSchema } from "../../../../../../../lib/schemas/responses.ts";

/** A published version for `lev add`: its archive's sha256 and its pinned dependency closure. */
export const GET = route(
  { access: "public", scope: "read", summary: "a published version with its archive's sha256 and pinned dependency closure", params: versionParamsSchema, response: publishedVersionSchema },
  async ({ viewer, params }) => publishedVersion(viewer, params.ns, params.name, params.version),
);
