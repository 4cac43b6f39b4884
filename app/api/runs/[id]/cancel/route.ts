import { route } from "../../../../../lib/api/route.ts";
import { cancelRun, getRun } from "../../../../../lib/runs/index.ts";
import { runParamsSchema } from "../../../../../lib/schemas/runs.ts";
import { runDetailSchema } from "../../../../../lib/schemas/responses.ts";

/** Stops every container of the run; answers with the run once its final state is recorded. */
export const POST = route({ access: "user", scope: "run", summary: "cancel a run", params: runParamsSchema, response: runDetailSchema }, async ({ viewer, params }) => {
  await cancelRun(viewer, params.id);
  return getRun(viewer, params.id);
});
