import { route } from "../../../../lib/api/route.ts";
import { getRun } from "../../../../lib/runs/index.ts";
import { runParamsSchema } from "../../../../lib/schemas/runs.ts";

export const GET = route({ access: "user", scope: "read", summary: "a run with its tasks and logs", params: runParamsSchema }, async ({ viewer, params }) => getRun(viewer, params.id));
