"use server";

import type { CancelState } from "../../components/run-live.tsx";
import { safeAction } from "../../lib/actions/safe-action.ts";
import { cancelRun } from "../../lib/runs/index.ts";
import { cancelRunInputSchema } from "../../lib/schemas/runs.ts";

const cancel = safeAction(cancelRunInputSchema, (input, viewer) => cancelRun(viewer, input.runId));

/** Cancels a run; the run page learns the outcome from the run's event stream. */
export async function cancelRunAction(runId: string, _prev: CancelState, _data: FormData): Promise<CancelState> {
  const res = await cancel({ runId });
  return { error: res.ok ? null : res.error };
}
