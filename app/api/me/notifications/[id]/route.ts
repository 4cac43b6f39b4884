import { route } from "../../../../../lib/api/route.ts";
import { deleteMyRule } from "../../../../../lib/notify/rules.ts";
import { myNotifyRuleParamsSchema } from "../../../../../lib/schemas/notify.ts";
import { removedSchema } from "../../../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** Deletes one of the caller's own rules with its delivery log. */
export const DELETE = route(
  { access: "user", scope: "run", summary: "delete a notification rule of your own", params: myNotifyRuleParamsSchema, response: removedSchema("deleted") },
  async ({ viewer, params }) => {
    await deleteMyRule(viewer, params.id);
    return { deleted: params.id };
  },
);
