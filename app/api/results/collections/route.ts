import { route } from "../../../../lib/api/route.ts";
import { listCollections } from "../../../../lib/results/documents.ts";

export const GET = route({ access: "user", scope: "read", summary: "the result collections the caller may read, with document counts" }, async ({ viewer }) => ({
  collections: await listCollections(viewer),
}));
