"use server";

import { redirect } from "next/navigation";
import type { RunFormState } from "../../components/run-form.tsx";
import type { ScanActionState } from "../../components/scan-run-controls.tsx";
import { safeAction } from "../../lib/actions/safe-action.ts";
import { rerun } from "../../lib/scans/rerun.ts";
import { rerunInputSchema } from "../../lib/schemas/scans.ts";
import { formFieldErrors, withFieldErrors } from "../../lib/runs/target-args.ts";
import { runFormArgs } from "../../components/run-form-fields.ts";

const again = safeAction(rerunInputSchema, (input, viewer) => rerun(viewer, input.runId, { latest: input.latest, args: input.args }));

/** "Re-run" (and "on the latest version") on a run page: goes to the new run. */
export async function rerunAction(runId: string, latest: boolean, _prev: ScanActionState, _data: FormData): Promise<ScanActionState> {
  const res = await again({ runId, latest });
  // the buttons have no fields: an argument the version no longer takes is named in the message
  if (!res.ok) return { error: withFieldErrors(res.error, res.fieldErrors), errors: res.fieldErrors ?? {}, saved: null };
  redirect(`/runs/${res.data.id}`);
}

/**
 * "Edit and re-run": the run form prefilled with the run's arguments; the edited values (text, as
 * the form sends them) go to lib, which checks them like a new run's. The form shows field errors by parameter.
 */
export async function rerunEditedAction(runId: string, _prev: RunFormState, data: FormData): Promise<RunFormState> {
  const args = runFormArgs(data, { keepBlank: true });
  const res = await again({ runId, args });
  if (!res.ok) {
    const errors = formFieldErrors(res.fieldErrors);
    // the project's window (or a device) is no parameter field: the form says it above the fields
    const aboutPlace = "project" in errors || "device" in errors;
    return { errors, message: aboutPlace || !Object.keys(errors).length ? res.error : null };
  }
  redirect(`/runs/${res.data.id}`);
}
