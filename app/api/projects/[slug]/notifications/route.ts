import { route } from "../../../../../lib/api/route.ts";
import { createProjectRule, listProjectRules } from "../../../../../lib/notify/rules.ts";
import { createNotifyRuleBodySchema } from "../../../../../lib/schemas/notify.ts";
import { projectParamsSchema } from "../../../../../lib/schemas/projects.ts";
import { createdNotifyRuleSchema, notifyRuleListSchema } from "../../../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** The project's notification rules (owners and admins). */
export const GET = route(
  { access: "user", scope: "read", summary: "list a project's notification rules (owners)", params: projectParamsSchema, response: notifyRuleListSchema },
  async ({ viewer, params }) => ({ rules: await listProjectRules(viewer, params.slug) }),
);

/** Adds a rule (owners and admins); a webhook's signing secret is in the answer, and only there. */
export const POST = route(
  { access: "user", scope: "run", summary: "add a notification rule to a project (owners); a webhook's secret is shown once", params: projectParamsSchema, body: createNotifyRuleBodySchema, status: 201, response: createdNotifyRuleSchema, errors: [409] },
  async ({ viewer, params, body }) => createProjectRule(viewer, params.slug, body),
);
