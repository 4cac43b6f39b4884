import { requireRequestViewer } from "../../../../../lib/api-auth.ts";
import { handle } from "../../../../../lib/http.ts";
import { cancelRun, getRun } from "../../../../../lib/runs.ts";

type Ctx = { params: Promise<{ id: string }> };

/** Stops every container of the run; answers with the run once its final state is recorded. */
export const POST = handle<Ctx>(async (req, { params }) => {
  const viewer = await requireRequestViewer(req);
  const { id } = await params;
  await cancelRun(viewer, id);
  return Response.json(await getRun(viewer, id));
});
