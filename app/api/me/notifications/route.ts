import { route } from "../../../../lib/api/route.ts";
import { createMyRule, listMyRules } from "../../../../lib/notify/rules.ts";
import { createNotifyRuleBodySchema } from "../../../../lib/schemas/notify.ts";
import { createdNotifyRuleSchema, notifyRuleListSchema } from "../../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** The caller's own rules (over every project they are a member of). */
export const GET = route(
  { access: "user", scope: "read", summary: "list your own notification rules", response: notifyRuleListSchema },
  async ({ viewer }) => ({ rules: await listMyRules(viewer) }),
);

/** Adds one of the caller's own rules; a webhook's signing secret is in the answer, and only there. */
export const POST = route(
  { access: "user", scope: "run", summary: "add a notification rule of your own; a webhook's secret is shown once", body: createNotifyRuleBodySchema, status: 201, response: createdNotifyRuleSchema, errors: [409] },
  async ({ viewer, body }) => createMyRule(viewer, body),
);
