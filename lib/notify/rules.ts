import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import { AppError, notFound } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { encryptValue } from "../platform/secret-cipher.ts";
import { keyRing } from "../platform/secrets-key.ts";
import { getSettings } from "../platform/settings.ts";
import type { RightPurpose } from "../access/project-roles.ts";
import { requireRight } from "../projects/access.ts";
import { loadProject } from "../projects/projects.ts";
import { NOTIFY_LIMITS, type CreateNotifyRuleBody } from "../schemas/notify.ts";
import type { Viewer } from "../types.ts";
import { urlRefusal } from "./address-policy.ts";
import type { CreatedRule, DeliveryView, NotifyRuleView } from "./types.ts";

/**
 * Notification rules: a project's (its owners and admins make and remove them; the delivery log
 * is theirs too) and a user's own (over every project they are a member of). A webhook's signing
 * secret is made here, shown once and kept encrypted with the secrets key (the rule's id as
 * associated data).
 */

export const ruleSelect = {
  id: true, name: true, projectId: true, userId: true, eventTypes: true, minSeverity: true, channel: true, url: true,
  emails: true, enabled: true, createdAt: true, project: { select: { slug: true } },
} as const satisfies Prisma.NotificationRuleSelect;
type RuleRow = Prisma.NotificationRuleGetPayload<{ select: typeof ruleSelect }>;

function target(r: RuleRow): string {
  if (r.channel === "email") return r.emails.join(", ");
  if (r.channel === "slack" && r.url) return `${new URL(r.url).origin}/…`;
  return r.url ?? "";
}

export function ruleView(r: RuleRow): NotifyRuleView {
  return {
    id: r.id, name: r.name, scope: r.projectId ? "project" : "user", project: r.project?.slug ?? null, events: r.eventTypes,
    minSeverity: r.minSeverity, channel: r.channel, target: target(r), emails: r.emails, enabled: r.enabled, createdAt: r.createdAt.toISOString(),
  };
}

async function checkedUrl(body: CreateNotifyRuleBody): Promise<string | null> {
  if (body.channel === "email") return null;
  const { notify } = await getSettings();
  const why = urlRefusal(new URL(body.url), notify.allowHosts);
  if (why) throw new AppError("validation", `url refused: ${why}`, { fieldErrors: { url: why } });
  return new URL(body.url).toString();
}

async function create(viewer: Viewer, where: { projectId: string | null }, body: CreateNotifyRuleBody): Promise<CreatedRule> {
  const url = await checkedUrl(body);
  const count = await db().notificationRule.count({ where: where.projectId ? { projectId: where.projectId } : { userId: viewer.id, projectId: null } });
  if (count >= NOTIFY_LIMITS.rulesPerScope) throw new AppError("conflict", `at most ${NOTIFY_LIMITS.rulesPerScope} notification rules here: remove one first`);
  const id = randomUUID();
  const secret = body.channel === "webhook" ? randomBytes(32).toString("base64url") : null;
  const sealed = secret ? encryptValue(keyRing().current, id, secret) : null;
  const row = await db().notificationRule.create({
    data: {
      id, projectId: where.projectId, userId: viewer.id, name: body.name, eventTypes: body.events, minSeverity: body.minSeverity, channel: body.channel, url,
      emails: body.channel === "email" ? body.emails : [], secretCiphertext: sealed ? new Uint8Array(sealed.ciphertext) : null, secretKeyId: sealed?.keyId ?? null,
    },
    select: ruleSelect,
  });
  await audit(viewer.id, "notify.rule.create", id, { name: body.name, channel: body.channel, events: body.events }, { projectId: where.projectId ?? undefined });
  return { secret, rule: ruleView(row) };
}

/** The project, when the viewer manages it: to look at its rules and log (`view`: a reading token may), or to change them. */
async function manage(viewer: Viewer, slug: string, purpose: RightPurpose = "change") {
  const project = await loadProject(viewer, slug);
  await requireRight(viewer, project.id, "manage", `project ${slug}`, purpose);
  return project;
}

export async function listProjectRules(viewer: Viewer, slug: string): Promise<NotifyRuleView[]> {
  const project = await manage(viewer, slug, "view");
  const rows = await db().notificationRule.findMany({ where: { projectId: project.id }, select: ruleSelect, orderBy: { createdAt: "asc" } });
  return rows.map(ruleView);
}

/** A project rule (owners, admins). A webhook's `secret` is its signing secret, shown this once. */
export async function createProjectRule(viewer: Viewer, slug: string, body: CreateNotifyRuleBody) {
  const project = await manage(viewer, slug);
  return create(viewer, { projectId: project.id }, body);
}

export async function deleteProjectRule(viewer: Viewer, slug: string, id: string): Promise<void> {
  const project = await manage(viewer, slug);
  const { count } = await db().notificationRule.deleteMany({ where: { id, projectId: project.id } });
  if (!count) throw notFound(`notification rule ${id}`);
  await audit(viewer.id, "notify.rule.delete", id, {}, { projectId: project.id });
}

export async function listMyRules(viewer: Viewer): Promise<NotifyRuleView[]> {
  const rows = await db().notificationRule.findMany({ where: { userId: viewer.id, projectId: null }, select: ruleSelect, orderBy: { createdAt: "asc" } });
  return rows.map(ruleView);
}

export async function createMyRule(viewer: Viewer, body: CreateNotifyRuleBody) {
  return create(viewer, { projectId: null }, body);
}

export async function deleteMyRule(viewer: Viewer, id: string): Promise<void> {
  const { count } = await db().notificationRule.deleteMany({ where: { id, userId: viewer.id, projectId: null } });
  if (!count) throw notFound(`notification rule ${id}`);
  await audit(viewer.id, "notify.rule.delete", id, {});
}

/** The rule a test is sent for: a project rule for its managers, a user rule for its user. */
export async function ruleForTest(viewer: Viewer, id: string, slug: string | null): Promise<{ ruleId: string; projectId: string | null; project: { slug: string; name: string } }> {
  if (slug) {
    const project = await manage(viewer, slug);
    const rule = await db().notificationRule.findFirst({ where: { id, projectId: project.id }, select: { id: true } });
    if (!rule) throw notFound(`notification rule ${id}`);
    return { ruleId: rule.id, projectId: project.id, project: { slug: project.slug, name: project.name } };
  }
  const rule = await db().notificationRule.findFirst({ where: { id, userId: viewer.id, projectId: null }, select: { id: true } });
  if (!rule) throw notFound(`notification rule ${id}`);
  return { ruleId: rule.id, projectId: null, project: { slug: viewer.username, name: `${viewer.username}'s notifications` } };
}

export const deliverySelect = {
  id: true, ruleId: true, eventId: true, eventType: true, status: true, attempts: true, lastStatusCode: true, lastResponseBytes: true,
  lastError: true, nextAttemptAt: true, createdAt: true, deliveredAt: true, rule: { select: { name: true } },
} as const satisfies Prisma.NotificationDeliverySelect;
type DeliveryRow = Prisma.NotificationDeliveryGetPayload<{ select: typeof deliverySelect }>;

export function deliveryView(d: DeliveryRow): DeliveryView {
  return {
    id: d.id, ruleId: d.ruleId, rule: d.rule.name, eventType: d.eventType, eventId: d.eventId?.toString() ?? null, test: d.eventId === null, status: d.status,
    attempts: d.attempts, lastStatusCode: d.lastStatusCode, lastResponseBytes: d.lastResponseBytes, lastError: d.lastError,
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null, createdAt: d.createdAt.toISOString(), deliveredAt: d.deliveredAt?.toISOString() ?? null,
  };
}

/** The project's delivery log, newest first (owners, admins): codes, attempts, next retry; never a body. */
export async function listProjectDeliveries(viewer: Viewer, slug: string, limit = 100): Promise<DeliveryView[]> {
  const project = await manage(viewer, slug, "view");
  const rows = await db().notificationDelivery.findMany({ where: { rule: { projectId: project.id } }, select: deliverySelect, orderBy: { createdAt: "desc" }, take: limit });
  return rows.map(deliveryView);
}

/** A user's own rules' deliveries, newest first. */
export async function listMyDeliveries(viewer: Viewer, limit = 100): Promise<DeliveryView[]> {
  const rows = await db().notificationDelivery.findMany({ where: { rule: { userId: viewer.id, projectId: null } }, select: deliverySelect, orderBy: { createdAt: "desc" }, take: limit });
  return rows.map(deliveryView);
}
