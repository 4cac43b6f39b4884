import { route } from "../../../../../../../../lib/api/route.ts";
import { archiveStream } from "../../../../../../../../lib/packages/version-archive.ts";
import { publishedArchive } from "../../../../../../../../lib/packages/version-fetch.ts";
import { versionParamsSchema } from "../../../../../../../../lib/schemas/packages.ts";

/** A published version's files as .tar.gz (the bytes whose sha256 the version names). */
export const GET = route(
  { access: "public", scope: "read", summary: "a published version's files as a deterministic .tar.gz", params: versionParamsSchema, produces: "application/gzip" },
  async ({ viewer, params }) => {
    const archive = await publishedArchive(viewer, params.ns, params.name, params.version);
    return new Response(archiveStream(archive), {
      headers: {
        "content-type": "application/gzip",
        "content-length": String(archive.size),
        "content-disposition": `attachment; filename="${params.ns}.${params.name}-${archive.version}.tar.gz"`,
        "x-levhub-sha256": archive.sha256,
      },
    });
  },
);
