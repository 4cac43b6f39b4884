import { route } from "../../../../../lib/api/route.ts";
import { runDocumentsPage } from "../../../../../lib/results/documents.ts";
import { runParamsSchema } from "../../../../../lib/schemas/runs.ts";
import { runDocumentsQuerySchema } from "../../../../../lib/schemas/results.ts";
import { runDocumentsResponseSchema } from "../../../../../lib/schemas/responses.ts";

export const GET = route(
  { access: "user", scope: "read", summary: "a page of the documents a run stored (keyset: pass `next` as `after`)", params: runParamsSchema, query: runDocumentsQuerySchema, response: runDocumentsResponseSchema },
  async ({ viewer, params, query }) => {
    const page = await runDocumentsPage(viewer, params.id, query);
    return { documents: page.items, next: page.next };
  },
);
