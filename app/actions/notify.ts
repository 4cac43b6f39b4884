"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { NotifyRuleFormState, NotifyTestState } from "../../components/notify/rule-form.tsx";
import { problemOf, safeAction, type ProblemState } from "../../lib/actions/safe-action.ts";
import { sendTest } from "../../lib/notify/deliver.ts";
import { createProjectRule, deleteProjectRule, ruleForTest } from "../../lib/notify/rules.ts";
import { createNotifyRuleBodySchema } from "../../lib/schemas/notify.ts";
import { projectSlugSchema } from "../../lib/schemas/projects.ts";

const ruleId = z.string().min(1).max(64);
const create = safeAction(z.object({ slug: projectSlugSchema, rule: createNotifyRuleBodySchema }), (input, viewer) => createProjectRule(viewer, input.slug, input.rule));
const remove = safeAction(z.object({ slug: projectSlugSchema, id: ruleId }), (input, viewer) => deleteProjectRule(viewer, input.slug, input.id));
const test = safeAction(z.object({ slug: projectSlugSchema, id: ruleId }), async (input, viewer) => {
  const t = await ruleForTest(viewer, input.id, input.slug);
  return sendTest(t.ruleId, t.projectId, t.project);
});

const text = (data: FormData, k: string) => String(data.get(k) ?? "").trim();
const path = (slug: string) => `/projects/${slug}/notifications`;

/** Notifications → Add a rule: the channel's fields; a webhook's signing secret comes back once. */
export async function createNotifyRuleAction(slug: string, _prev: NotifyRuleFormState, data: FormData): Promise<NotifyRuleFormState> {
  const channel = text(data, "channel");
  const rule = {
    name: text(data, "name"),
    events: data.getAll("events").map(String),
    minSeverity: text(data, "minSeverity") || null,
    channel,
    ...(channel === "email" ? { emails: text(data, "emails").split(/[\s,]+/).filter(Boolean) } : { url: text(data, "url") }),
  };
  const res = await create({ slug, rule });
  if (!res.ok) {
    const errors = Object.fromEntries(Object.entries(res.fieldErrors ?? {}).map(([k, v]) => [k.replace(/^rule\./, "").split(".")[0], v]));
    return { status: "error", errors, message: res.error, code: res.code };
  }
  revalidatePath(path(slug));
  return { status: "saved", name: res.data.rule.name, secret: res.data.secret };
}

export async function deleteNotifyRuleAction(slug: string, _prev: ProblemState, data: FormData): Promise<ProblemState> {
  const res = await remove({ slug, id: text(data, "id") });
  if (!res.ok) return { problem: problemOf(res) };
  revalidatePath(path(slug));
  return { problem: null };
}

/** A rule's "Send test": one attempt now; the answer (status, code, error) is shown beside the button. */
export async function testNotifyRuleAction(slug: string, _prev: NotifyTestState, data: FormData): Promise<NotifyTestState> {
  const res = await test({ slug, id: text(data, "id") });
  if (!res.ok) return { problem: problemOf(res), outcome: null };
  revalidatePath(path(slug));
  const d = res.data;
  return { problem: null, outcome: `${d.status}${d.lastStatusCode !== null ? ` (${d.lastStatusCode})` : ""}${d.lastError ? `: ${d.lastError}` : ""}` };
}
