/** What the notifications module answers (DTOs: dates as ISO strings). */
import type { FindingSeverity } from "../schemas/finding-vocabulary.ts";
import type { NotifyChannel } from "../schemas/notify.ts";

export interface NotifyRuleView {
  id: string;
  name: string;
  /** project: its owners'; user: its user's, over every project they are a member of */
  scope: "project" | "user";
  project: string | null;
  events: string[];
  minSeverity: FindingSeverity | null;
  channel: NotifyChannel;
  /** the webhook's URL; a Slack URL (itself a credential) only as its origin */
  target: string;
  emails: string[];
  enabled: boolean;
  createdAt: string;
}

export interface DeliveryView {
  id: string;
  ruleId: string;
  rule: string;
  eventType: string;
  eventId: string | null;
  test: boolean;
  status: "pending" | "retrying" | "delivered" | "dead";
  attempts: number;
  lastStatusCode: number | null;
  lastResponseBytes: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

/** A new rule; `secret`: a webhook's signing secret, shown this once (null for Slack and e-mail). */
export interface CreatedRule {
  secret: string | null;
  rule: NotifyRuleView;
}
