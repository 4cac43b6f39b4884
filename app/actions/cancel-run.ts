"use server";

import { problemOf, safeAction, type ProblemState } from "../../lib/actions/safe-action.ts";
import { cancelRun } from "../../lib/runs/index.ts";
import { cancelRunInputSchema } from "../../lib/schemas/runs.ts";

const cancel = safeAction(cancelRunInputSchema, (input, viewer) => cancelRun(viewer, input.runId));

/** Cancels a run; the run page learns the outcome from the run's event stream. */
export async function cancelRunAction(runId: string, _prev: ProblemState, _data: FormData): Promise<ProblemState> {
  const res = await cancel({ runId });
  return { problem: res.ok ? null : problemOf(res) };
}
