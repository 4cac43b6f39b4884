import { route } from "../../../../../../../lib/api/route.ts";
import { sendTest } from "../../../../../../../lib/notify/deliver.ts";
import { ruleForTest } from "../../../../../../../lib/notify/rules.ts";
import { notifyRuleParamsSchema } from "../../../../../../../lib/schemas/notify.ts";
import { notifyDeliverySchema } from "../../../../../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** Sends a test notification through the rule now (owners and admins): one attempt, logged as a test. */
export const POST = route(
  { access: "user", scope: "run", summary: "send a test notification through a project rule (owners)", params: notifyRuleParamsSchema, response: notifyDeliverySchema },
  async ({ viewer, params }) => {
    const t = await ruleForTest(viewer, params.id, params.slug);
    return sendTest(t.ruleId, t.projectId, t.project);
  },
);
