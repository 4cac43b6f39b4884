import { route } from "../../../lib/api/route.ts";
import { browse } from "../../../lib/catalog/catalog.ts";
import { publishArchive } from "../../../lib/packages/upload.ts";
import { browseApiQuerySchema, UPLOAD_BODY_MAX_BYTES, uploadFormSchema } from "../../../lib/schemas/packages.ts";
import { browseResultSchema, publishResultSchema } from "../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** Browse and search: the same query as the browse page (`?q=&tactic=&category=&tag=&kind=&page=`). */
export const GET = route({ access: "public", scope: "read", summary: "browse and search the packages the caller may see", query: browseApiQuerySchema, response: browseResultSchema }, async ({ viewer, query }) =>
  browse(viewer, query),
);

/**
 * Upload (the CLI's `lev upload`): multipart with `file` (.zip, .tar.gz, .whl) and optional
 * `private=true|false`; without it a new package is private and an existing one keeps its visibility.
 */
export const POST = route(
  { access: "user", scope: "publish", summary: "publish a package version from an archive", body: { multipart: uploadFormSchema }, maxBodyBytes: UPLOAD_BODY_MAX_BYTES, status: 201, response: publishResultSchema, errors: [409] },
  async ({ viewer, body }) => publishArchive(viewer, { filename: body.file.name, data: Buffer.from(await body.file.arrayBuffer()) }, { private: body.private }),
);
