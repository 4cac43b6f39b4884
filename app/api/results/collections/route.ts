import { route } from "../../../../lib/api/route.ts";
import { listCollections } from "../../../../lib/results/documents.ts";
import { collectionsResponseSchema } from "../../../../lib/schemas/responses.ts";

export const GET = route({ access: "user", scope: "read", summary: "the result collections the caller may read, with document counts", response: collectionsResponseSchema }, async ({ viewer }) => ({
  collections: await listCollections(viewer),
}));
