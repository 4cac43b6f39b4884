"use server";

import { revalidatePath } from "next/cache";
import type { RetentionFormState } from "../../components/retention-form.tsx";
import { adminAction } from "../../lib/actions/safe-action.ts";
import { audit } from "../../lib/platform/audit.ts";
import { updateSettings } from "../../lib/platform/settings.ts";
import { RETENTION_KINDS } from "../../lib/platform/retention-settings.ts";
import { retentionFormSchema } from "../../lib/schemas/retention.ts";

const update = adminAction(retentionFormSchema, async (input, viewer) => {
  const next = await updateSettings({ retention: input });
  await audit(viewer.id, "settings.retention", null, next.retention);
  return next.retention;
});

/** How many days each kind is kept (blank: for ever); the daily job and the preview follow it. */
export async function updateRetentionAction(_prev: RetentionFormState, data: FormData): Promise<RetentionFormState> {
  const res = await update(Object.fromEntries(RETENTION_KINDS.map((k) => [k, data.get(k) ?? ""])));
  if (!res.ok) return { status: "error", errors: res.fieldErrors ?? {}, message: res.fieldErrors ? null : res.error };
  revalidatePath("/admin/retention");
  return { status: "saved", settings: res.data };
}
