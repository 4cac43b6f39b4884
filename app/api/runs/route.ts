import { route } from "../../../lib/api/route.ts";
import { KIB } from "../../../lib/api/body.ts";
import { listRuns, startRun, startRunWithFiles } from "../../../lib/runs/index.ts";
import { listRunsQuerySchema, startRunBodySchema } from "../../../lib/schemas/runs.ts";
import { startRunUploadSchema } from "../../../lib/schemas/files.ts";
import { getSettings } from "../../../lib/platform/settings.ts";
import { runListSchema, runSummarySchema } from "../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/**
 * Starts a run: `{package: "ns.name", version?, function, args, project?, device?}` or `{versionId, function, args, project?, device?}`.
 * `project` (a slug; absent: the caller's personal project) must be one where the caller may run (a viewer: 403) and inside its
 * authorised window (422 naming it). 422 with fieldErrors (`args.<param>`, `function`, `version`, `package`, `device`, `project`).
 * A file parameter takes `{"$lev": "file", "id": …}` (a file uploaded first, `POST /api/files`), or, in a multipart request
 * (the same fields as text, `args` as JSON), a part named `args.<param>` holding the file.
 */
export const POST = route(
  {
    access: "user", scope: "run",
    summary: "start a run of a package function",
    body: {
      json: startRunBodySchema,
      upload: startRunUploadSchema,
      // a multipart request: one file as large as the admin allows, and the arguments, plus the envelope
      maxBytes: async () => {
        const s = await getSettings();
        return s.files.maxBytes + s.args.totalBytes + 64 * KIB;
      },
      maxFieldBytes: async () => (await getSettings()).args.totalBytes + 16 * KIB,
    },
    // the arguments may be as large as the admin allows, plus the envelope around them
    maxBodyBytes: async () => (await getSettings()).args.totalBytes + 16 * KIB,
    status: 201,
    response: runSummarySchema,
    errors: [429],
  },
  async ({ viewer, body }) => ("files" in body ? startRunWithFiles(viewer, body.run, body.files) : startRun(viewer, body)),
);

/** The runs of the caller's projects (an admin's: every project's; `?all=false`: only the caller's own; `?project=<slug>`: one project), newest first. */
export const GET = route({ access: "user", scope: "read", summary: "list runs", query: listRunsQuerySchema, response: runListSchema }, async ({ viewer, query }) => listRuns(viewer, query));
