import { route } from "../../../../../../lib/api/route.ts";
import { sendTest } from "../../../../../../lib/notify/deliver.ts";
import { ruleForTest } from "../../../../../../lib/notify/rules.ts";
import { myNotifyRuleParamsSchema } from "../../../../../../lib/schemas/notify.ts";
import { notifyDeliverySchema } from "../../../../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** Sends a test notification through one of the caller's own rules now: one attempt, logged as a test. */
export const POST = route(
  { access: "user", scope: "run", summary: "send a test notification through a rule of your own", params: myNotifyRuleParamsSchema, response: notifyDeliverySchema },
  async ({ viewer, params }) => {
    const t = await ruleForTest(viewer, params.id, null);
    return sendTest(t.ruleId, t.projectId, t.project);
  },
);
