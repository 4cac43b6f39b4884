"use server";

import { revalidatePath } from "next/cache";
import type { RetentionState } from "../../components/retention-form.tsx";
import { adminAction } from "../../lib/actions/safe-action.ts";
import { setAuditRetention } from "../../lib/platform/audit-retention.ts";
import { retentionFormSchema } from "../../lib/schemas/audit.ts";

const save = adminAction(retentionFormSchema, (input, viewer) => setAuditRetention(viewer.id, input.auditDays));

/** Admin → Retention: how many days of audit events to keep (empty: all). */
export async function setRetentionAction(_prev: RetentionState, data: FormData): Promise<RetentionState> {
  const res = await save({ auditDays: String(data.get("auditDays") ?? "") });
  if (!res.ok) return { status: "error", message: res.error, errors: res.fieldErrors };
  revalidatePath("/admin/retention");
  return { status: "saved", auditDays: res.data };
}
