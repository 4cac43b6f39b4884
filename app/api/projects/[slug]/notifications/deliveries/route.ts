import { route } from "../../../../../../lib/api/route.ts";
import { listProjectDeliveries } from "../../../../../../lib/notify/rules.ts";
import { deliveriesQuerySchema } from "../../../../../../lib/schemas/notify.ts";
import { projectParamsSchema } from "../../../../../../lib/schemas/projects.ts";
import { notifyDeliveryListSchema } from "../../../../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** The project's delivery log, newest first (owners and admins): codes, attempts, next retry. */
export const GET = route(
  { access: "user", scope: "read", summary: "a project's notification delivery log (owners)", params: projectParamsSchema, query: deliveriesQuerySchema, response: notifyDeliveryListSchema },
  async ({ viewer, params, query }) => ({ deliveries: await listProjectDeliveries(viewer, params.slug, query.limit) }),
);
