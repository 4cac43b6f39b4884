import { route } from "../../../../lib/api/route.ts";
import { listDocuments } from "../../../../lib/results/documents.ts";
import { documentsQuerySchema } from "../../../../lib/schemas/results.ts";
import { resultPageSchema } from "../../../../lib/schemas/responses.ts";

export const GET = route(
  { access: "user", scope: "read", summary: "a page of result documents matching a filter and a field query (keyset: pass `next` as `after`)", query: documentsQuerySchema, response: resultPageSchema },
  async ({ viewer, query: { after, limit, ...filter } }) => listDocuments(viewer, filter, { after, limit }),
);
