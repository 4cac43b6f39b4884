import { requireRequestViewer } from "../../../../lib/api-auth.ts";
import { handle } from "../../../../lib/http.ts";
import { getRun } from "../../../../lib/runs.ts";

type Ctx = { params: Promise<{ id: string }> };

export const GET = handle<Ctx>(async (req, { params }) => {
  const viewer = await requireRequestViewer(req);
  return Response.json(await getRun(viewer, (await params).id));
});
