import { route } from "../../../../lib/api/route.ts";
import { getFile } from "../../../../lib/files/uploads.ts";
import { fileParamsSchema } from "../../../../lib/schemas/files.ts";
import { fileViewSchema } from "../../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** A file the caller may use (they uploaded it, or may run in its project); anyone else's is 404. */
export const GET = route({ access: "user", scope: "read", summary: "a file given to runs: its name, size and sha256", params: fileParamsSchema, response: fileViewSchema }, async ({ viewer, params }) =>
  getFile(viewer, params.id),
);
