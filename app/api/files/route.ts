import { route } from "../../../lib/api/route.ts";
import { KIB } from "../../../lib/api/body.ts";
import { uploadFile } from "../../../lib/files/uploads.ts";
import { getSettings } from "../../../lib/platform/settings.ts";
import { uploadFileFormSchema } from "../../../lib/schemas/files.ts";
import { fileViewSchema } from "../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/**
 * Uploads a file for a run's `levrt.File` parameter (`lev run --param f=@path`, the run form):
 * multipart with `file` and optionally `project` (a slug where the caller may run; absent: their
 * personal project). The file streams to disk; the answer's `id` is what run arguments reference
 * (`{"$lev": "file", "id": …}`). 413 past the admin's cap on one file or the caller's quota.
 */
export const POST = route(
  {
    access: "user", scope: "run",
    summary: "upload a file for a run's file parameter",
    body: { upload: uploadFileFormSchema, maxBytes: async () => (await getSettings()).files.maxBytes + 64 * KIB },
    status: 201,
    response: fileViewSchema,
  },
  async ({ viewer, body }) => uploadFile(viewer, body.file, { project: body.project }),
);
