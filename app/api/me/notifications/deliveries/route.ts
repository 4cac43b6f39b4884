import { route } from "../../../../../lib/api/route.ts";
import { listMyDeliveries } from "../../../../../lib/notify/rules.ts";
import { deliveriesQuerySchema } from "../../../../../lib/schemas/notify.ts";
import { notifyDeliveryListSchema } from "../../../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** The delivery log of the caller's own rules, newest first. */
export const GET = route(
  { access: "user", scope: "read", summary: "the delivery log of your own notification rules", query: deliveriesQuerySchema, response: notifyDeliveryListSchema },
  async ({ viewer, query }) => ({ deliveries: await listMyDeliveries(viewer, query.limit) }),
);
