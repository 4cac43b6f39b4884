import { requireRequestViewer } from "../../../../../lib/api-auth.ts";
import { handle } from "../../../../../lib/http.ts";
import { runDocuments } from "../../../../../lib/runs.ts";

type Ctx = { params: Promise<{ id: string }> };

export const GET = handle<Ctx>(async (req, { params }) => {
  const viewer = await requireRequestViewer(req);
  return Response.json({ documents: await runDocuments(viewer, (await params).id) });
});
