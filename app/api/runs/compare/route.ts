import { route } from "../../../../lib/api/route.ts";
import { compareRunsFor, previousRunId } from "../../../../lib/compare/runs.ts";
import { notFound } from "../../../../lib/errors.ts";
import { compareQuerySchema } from "../../../../lib/schemas/compare.ts";

export const GET = route(
  {
    access: "user",
    scope: "read",
    summary:
      "what changed from run a to run b (or from b's previous run with the same arguments): documents added, removed and changed per collection, without the fields the package ignores (or those in `ignore`)",
    query: compareQuerySchema,
  },
  async ({ viewer, query }) => {
    const a = query.a ?? (await previousRunId(viewer, query.b));
    if (!a) throw notFound("an earlier run of this function with the same arguments");
    return compareRunsFor(viewer, a, query.b, undefined, query.ignore);
  },
);
