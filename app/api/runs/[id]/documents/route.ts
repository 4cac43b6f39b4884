import { route } from "../../../../../lib/api/route.ts";
import { runDocuments } from "../../../../../lib/runs/index.ts";
import { runParamsSchema } from "../../../../../lib/schemas/runs.ts";

export const GET = route({ access: "user", summary: "the documents a run stored", params: runParamsSchema }, async ({ viewer, params }) => ({
  documents: await runDocuments(viewer, params.id),
}));
