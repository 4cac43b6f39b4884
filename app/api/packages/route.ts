import { route } from "../../../lib/api/route.ts";
import { browse } from "../../../lib/catalog.ts";
import { parseWith } from "../../../lib/http.ts";
import { publishArchive } from "../../../lib/packages/upload.ts";
import { browseQuerySchema, UPLOAD_BODY_MAX_BYTES, uploadFormSchema } from "../../../lib/schemas/packages.ts";

export const runtime = "nodejs";

/** Browse and search: the same query as the browse page (`?q=&tactic=&category=&tag=&kind=&page=`). */
export const GET = route({ access: "public", summary: "browse and search the packages the caller may see", query: browseQuerySchema }, async ({ viewer, query }) =>
  browse(viewer, query),
);

/** Upload (the CLI's `lev upload`): multipart with `file` (.zip, .tar.gz, .whl) and optional `private=true`. */
export const POST = route(
  { access: "user", summary: "publish a package version from an archive", body: "multipart", maxBodyBytes: UPLOAD_BODY_MAX_BYTES, status: 201 },
  async ({ viewer, body }) => {
    const form = parseWith(uploadFormSchema, { file: body.get("file") ?? undefined, private: body.get("private") ?? undefined });
    const data = Buffer.from(await form.file.arrayBuffer());
    return publishArchive(viewer, { filename: form.file.name, data }, { private: form.private });
  },
);
