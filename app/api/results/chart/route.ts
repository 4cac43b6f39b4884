import { route } from "../../../../lib/api/route.ts";
import { countsPerRun, topValues } from "../../../../lib/results/chart.ts";
import { chartQuerySchema } from "../../../../lib/schemas/results.ts";
import { chartResponseSchema } from "../../../../lib/schemas/responses.ts";

export const GET = route(
  { access: "user", scope: "read", summary: "chart data: the top values of a field (`kind=top&field=`) or documents per run over time (`kind=runs`)", query: chartQuerySchema, response: chartResponseSchema },
  async ({ viewer, query: { kind, field, limit, ...filter } }) =>
    kind === "top" ? { kind, field, values: await topValues(viewer, filter, field as string, limit) } : { kind, runs: await countsPerRun(viewer, filter, limit) },
);
