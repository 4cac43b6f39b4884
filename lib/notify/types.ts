/** What the notifications module answers: the types of its response schemas (dates as ISO strings). */
import type { z } from "zod";
import type { createdNotifyRuleSchema, notifyDeliverySchema, notifyRuleViewSchema } from "../schemas/responses.ts";

export type NotifyRuleView = z.infer<typeof notifyRuleViewSchema>;
export type DeliveryView = z.infer<typeof notifyDeliverySchema>;
export type CreatedRule = z.infer<typeof createdNotifyRuleSchema>;
