"use client";

import { useActionState } from "react";
import { IDLE, SavedNotice, ScheduleFields, type ScanActionState } from "./scan-run-controls.tsx";

/**
 * "Save as scan" inside the run form: its own submit button sends the form's values (and the name
 * and schedule here) to the save action instead of starting a run.
 */
export function SaveAsScanFields({ action }: { action: (state: ScanActionState, data: FormData) => Promise<ScanActionState> }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  return (
    <details className="rounded-md border border-zinc-200 p-3" open={Boolean(state.error || Object.keys(state.errors).length)}>
      <summary className="cursor-pointer text-sm font-medium">Save as scan</summary>
      <div className="mt-3 space-y-3">
        <ScheduleFields errors={state.errors} idPrefix="form-scan" values={state.values} />
        {state.error && <p role="alert" className="field-error">{state.error}</p>}
        <button type="submit" formAction={formAction} className="btn" disabled={pending}>Save scan</button>
        <SavedNotice state={state} />
      </div>
    </details>
  );
}
