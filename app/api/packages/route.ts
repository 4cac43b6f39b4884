import { requireRequestViewer, viewerFromRequest } from "../../../lib/api-auth.ts";
import { browse, browseQuerySchema } from "../../../lib/catalog.ts";
import { AppError, validation } from "../../../lib/errors.ts";
import { handle, parseWith, searchParamsObject } from "../../../lib/http.ts";
import { publishArchive, UPLOAD_LIMITS } from "../../../lib/packages/upload.ts";

export const runtime = "nodejs";

/** Browse and search: the same query as the browse page (`?q=&tactic=&category=&tag=&kind=&page=`). */
export const GET = handle(async (req) => {
  const viewer = await viewerFromRequest(req);
  const query = parseWith(browseQuerySchema, searchParamsObject(req));
  return Response.json(await browse(viewer, query));
});

/** Upload (the CLI's `lev upload`): multipart with `file` (.zip, .tar.gz, .whl) and optional `private=true`. */
export const POST = handle(async (req) => {
  const viewer = await requireRequestViewer(req);
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > UPLOAD_LIMITS.archiveBytes + 1024 * 1024) {
    throw new AppError("too_large", `the archive is larger than ${Math.round(UPLOAD_LIMITS.archiveBytes / 1048576)} MiB`);
  }
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw validation("send multipart/form-data with the archive in the field 'file'");
  }
  const file = form.get("file");
  if (!file || typeof file === "string") throw validation("the field 'file' must hold the archive", { file: "choose an archive" });
  const data = Buffer.from(await file.arrayBuffer());
  const priv = form.get("private");
  const result = await publishArchive(viewer, { filename: file.name, data }, { private: priv === "true" || priv === "on" ? true : undefined });
  return Response.json(result, { status: 201 });
});
