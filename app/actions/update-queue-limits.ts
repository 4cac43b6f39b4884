"use server";

import { revalidatePath } from "next/cache";
import type { QueueLimitsState } from "../../components/queue-limits-form.tsx";
import { adminAction } from "../../lib/actions/safe-action.ts";
import { audit } from "../../lib/platform/audit.ts";
import { queueLimitsSchema } from "../../lib/schemas/worker.ts";
import { getSettings, updateSettings } from "../../lib/platform/settings.ts";

const update = adminAction(queueLimitsSchema, async (input, viewer) => {
  // the limits only: the devices rule of the same section is set by its own form
  const next = await updateSettings({ queue: { ...(await getSettings()).queue, ...input } });
  await audit(viewer.id, "settings.queue", null, next.queue);
  return next.queue;
});

/** Runs at once in the hub and per user (more wait as queued); runs waiting and saved scans per user; live instances per hub worker credential. */
export async function updateQueueLimitsAction(_prev: QueueLimitsState, data: FormData): Promise<QueueLimitsState> {
  const res = await update({
    totalRuns: data.get("totalRuns") ?? "",
    perUserRuns: data.get("perUserRuns") ?? "",
    queuedPerUser: data.get("queuedPerUser") ?? "",
    scansPerUser: data.get("scansPerUser") ?? "",
    hubWorkerInstances: data.get("hubWorkerInstances") ?? "",
  });
  if (!res.ok) return { status: "error", errors: res.fieldErrors ?? {}, message: res.fieldErrors ? null : res.error };
  revalidatePath("/admin/workers");
  return { status: "saved", ...res.data };
}
