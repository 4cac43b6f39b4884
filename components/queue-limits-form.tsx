"use client";

import { useActionState } from "react";

export type QueueLimitsState =
  | { status: "idle" }
  | { status: "error"; errors: Record<string, string>; message: string | null }
  | { status: "saved"; totalRuns: number; perUserRuns: number };

/** Runs at once in the whole hub and per user (each worker adds its own capacity as a third limit). */
export function QueueLimitsForm({ totalRuns, perUserRuns, action }: { totalRuns: number; perUserRuns: number; action: (state: QueueLimitsState, data: FormData) => Promise<QueueLimitsState> }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const errors = state.status === "error" ? state.errors : {};
  return (
    <form action={formAction} className="card flex flex-wrap items-end gap-3 p-4" aria-label="Queue limits">
      <div className="w-44">
        <label htmlFor="q-total" className="label">Runs at once (hub)</label>
        <input id="q-total" name="totalRuns" type="number" min={1} max={10000} defaultValue={totalRuns} className="input mt-1" aria-invalid={errors.totalRuns ? true : undefined} />
        {errors.totalRuns && <p className="field-error">{errors.totalRuns}</p>}
      </div>
      <div className="w-44">
        <label htmlFor="q-user" className="label">Runs at once (per user)</label>
        <input id="q-user" name="perUserRuns" type="number" min={1} max={10000} defaultValue={perUserRuns} className="input mt-1" aria-invalid={errors.perUserRuns ? true : undefined} />
        {errors.perUserRuns && <p className="field-error">{errors.perUserRuns}</p>}
      </div>
      <button type="submit" className="btn btn-primary" disabled={pending}>Save limits</button>
      {state.status === "saved" && <p role="status" className="text-sm text-emerald-700">Saved: {state.totalRuns} at once, {state.perUserRuns} per user.</p>}
      {state.status === "error" && state.message && <p role="alert" className="field-error w-full">{state.message}</p>}
    </form>
  );
}
