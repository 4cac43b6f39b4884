import { route } from "../../../../../../lib/api/route.ts";
import { deleteProjectRule } from "../../../../../../lib/notify/rules.ts";
import { notifyRuleParamsSchema } from "../../../../../../lib/schemas/notify.ts";
import { removedSchema } from "../../../../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** Deletes a rule (owners and admins) with its delivery log. */
export const DELETE = route(
  { access: "user", scope: "run", summary: "delete a project's notification rule (owners)", params: notifyRuleParamsSchema, response: removedSchema("deleted") },
  async ({ viewer, params }) => {
    await deleteProjectRule(viewer, params.slug, params.id);
    return { deleted: params.id };
  },
);
