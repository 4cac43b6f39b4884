import { route } from "../../../../../lib/api/route.ts";
import { getDocument } from "../../../../../lib/results/documents.ts";
import { documentParamsSchema } from "../../../../../lib/schemas/results.ts";

export const GET = route({ access: "user", scope: "read", summary: "one whole result document", params: documentParamsSchema }, async ({ viewer, params }) => getDocument(viewer, params.id));
