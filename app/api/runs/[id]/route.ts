import { route } from "../../../../lib/api/route.ts";
import { getRun } from "../../../../lib/runs/index.ts";
import { runParamsSchema } from "../../../../lib/schemas/runs.ts";
import { runDetailSchema } from "../../../../lib/schemas/responses.ts";

export const GET = route({ access: "user", scope: "read", summary: "a run with its tasks and logs", params: runParamsSchema, response: runDetailSchema }, async ({ viewer, params }) => getRun(viewer, params.id));
