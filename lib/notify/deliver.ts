import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "../platform/db.ts";
import { decryptValue } from "../platform/secret-cipher.ts";
import { keyById } from "../platform/secrets-key.ts";
import { getSettings } from "../platform/settings.ts";
import { sendEmail } from "./email.ts";
import { emailContent, slackBody, webhookBody, type NotificationEvent } from "./format.ts";
import { deliverySelect, deliveryView } from "./rules.ts";
import { signPayload } from "./signature.ts";
import { postNotification, type Resolver, type SendOutcome } from "./transport.ts";
import type { DeliveryView } from "./types.ts";

/**
 * One attempt at one delivery: the rule's channel, the event's payload, the outcome recorded on
 * the delivery row (status code and byte count; a body never). The queue (notifier.ts) retries
 * what this calls retryable until its last attempt, which ends the delivery `dead` (the log's
 * dead letter). A delivery already delivered is not sent again, so a job that runs twice
 * (a crash between the answer and the row) is the only way a receiver sees one twice — with the
 * same `X-Levhub-Delivery`, which is what receivers dedupe on.
 */

export interface AttemptOptions {
  /** attempts before this one (pg-boss's retryCount) */
  previous: number;
  /** whether this is the last attempt the queue makes */
  last: boolean;
  /** when the next attempt is due, if this one fails and is not the last */
  nextAt?: Date | null;
  resolve?: Resolver;
}

export type AttemptResult = "delivered" | "retry" | "dead" | "skipped";

const ruleFields = { id: true, channel: true, url: true, emails: true, secretCiphertext: true, secretKeyId: true } as const;

type RuleForSend = { id: string; channel: "webhook" | "slack" | "email"; url: string | null; emails: string[]; secretCiphertext: Uint8Array | null; secretKeyId: string | null };

async function send(rule: RuleForSend, event: NotificationEvent, resolve?: Resolver): Promise<SendOutcome> {
  const { notify } = await getSettings();
  if (rule.channel === "email") return sendEmail(notify.smtp, rule.emails, emailContent(event));
  if (!rule.url) return { ok: false, retryable: false, statusCode: null, responseBytes: null, error: "the rule has no URL" };
  if (rule.channel === "slack") return postNotification(rule.url, slackBody(event), {}, { allowHosts: notify.allowHosts, resolve });
  const key = rule.secretKeyId ? keyById(rule.secretKeyId) : null;
  if (!key || !rule.secretCiphertext) return { ok: false, retryable: false, statusCode: null, responseBytes: null, error: "the webhook's secret cannot be read with the hub's secrets key" };
  const body = webhookBody(event);
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = {
    "x-levhub-event": event.type,
    "x-levhub-delivery": event.id,
    "x-levhub-timestamp": String(timestamp),
    "x-levhub-signature": signPayload(decryptValue(key, rule.id, rule.secretCiphertext), timestamp, body),
  };
  return postNotification(rule.url, body, headers, { allowHosts: notify.allowHosts, resolve });
}

/** Makes one attempt at delivery `id` and records it. */
export async function attemptDelivery(id: string, opts: AttemptOptions): Promise<AttemptResult> {
  const d = await db().notificationDelivery.findUnique({
    where: { id },
    select: { id: true, status: true, eventType: true, rule: { select: ruleFields }, project: { select: { slug: true, name: true } }, event: { select: { type: true, data: true, at: true } } },
  });
  if (!d || d.status === "delivered" || d.status === "dead" || !d.event || !d.project) return "skipped";
  const event: NotificationEvent = { id: d.id, type: d.event.type, project: d.project, occurredAt: d.event.at.toISOString(), data: d.event.data };
  const outcome = await send(d.rule, event, opts.resolve);
  return record(d.id, opts.previous + 1, outcome, opts);
}

async function record(id: string, attempts: number, outcome: SendOutcome, opts: { last: boolean; nextAt?: Date | null }): Promise<AttemptResult> {
  const now = new Date();
  const result: AttemptResult = outcome.ok ? "delivered" : outcome.retryable && !opts.last ? "retry" : "dead";
  await db().notificationDelivery.update({
    where: { id },
    data: {
      status: result === "retry" ? "retrying" : result,
      attempts,
      lastStatusCode: outcome.statusCode,
      lastResponseBytes: outcome.responseBytes,
      lastError: outcome.ok ? null : outcome.error.slice(0, 500),
      nextAttemptAt: result === "retry" ? (opts.nextAt ?? null) : null,
      deliveredAt: outcome.ok ? now : null,
      updatedAt: now,
    },
  });
  return result;
}

/**
 * "Send test": a `notify.test` event through the rule's channel now, recorded in the log as a
 * delivery without an event. One attempt, no retries: the answer is the point.
 */
export async function sendTest(ruleId: string, projectId: string | null, project: { slug: string; name: string }, resolve?: Resolver): Promise<DeliveryView> {
  const rule = await db().notificationRule.findUniqueOrThrow({ where: { id: ruleId }, select: ruleFields });
  const id = randomUUID();
  await db().notificationDelivery.create({ data: { id, ruleId, projectId, eventType: "notify.test" } });
  const event: NotificationEvent = { id, type: "notify.test", project, occurredAt: new Date().toISOString(), data: { test: true } };
  await record(id, 1, await send(rule, event, resolve), { last: true });
  return deliveryView(await db().notificationDelivery.findUniqueOrThrow({ where: { id }, select: deliverySelect }));
}
