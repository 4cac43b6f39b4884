import { route } from "../../../../../lib/api/route.ts";
import { getDocument } from "../../../../../lib/results/documents.ts";
import { documentParamsSchema } from "../../../../../lib/schemas/results.ts";
import { resultDocumentViewSchema } from "../../../../../lib/schemas/responses.ts";

export const GET = route({ access: "user", scope: "read", summary: "one whole result document", params: documentParamsSchema, response: resultDocumentViewSchema }, async ({ viewer, params }) => getDocument(viewer, params.id));
