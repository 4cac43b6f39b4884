"use client";

import { useActionState } from "react";

export type QueueLimitsState =
  | { status: "idle" }
  | { status: "error"; errors: Record<string, string>; message: string | null }
  | { status: "saved"; totalRuns: number; perUserRuns: number; hubWorkerInstances: number };

interface Limits {
  totalRuns: number;
  perUserRuns: number;
  hubWorkerInstances: number;
}

/**
 * Runs at once in the whole hub and per user (each worker adds its own capacity as a third limit),
 * and how many processes one hub worker credential may run at once (a device's figure is fixed).
 */
export function QueueLimitsForm({ totalRuns, perUserRuns, hubWorkerInstances, action }: Limits & { action: (state: QueueLimitsState, data: FormData) => Promise<QueueLimitsState> }) {
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
      <div className="w-52">
        <label htmlFor="q-instances" className="label">Processes per worker credential</label>
        <input
          id="q-instances"
          name="hubWorkerInstances"
          type="number"
          min={1}
          max={1000}
          defaultValue={hubWorkerInstances}
          className="input mt-1"
          aria-invalid={errors.hubWorkerInstances ? true : undefined}
          aria-describedby="q-instances-help"
        />
        {errors.hubWorkerInstances && <p className="field-error">{errors.hubWorkerInstances}</p>}
      </div>
      <button type="submit" className="btn btn-primary" disabled={pending}>Save limits</button>
      <p id="q-instances-help" className="w-full text-xs text-zinc-500">
        A worker process registering past its credential&apos;s number is refused until one of them stops or is lost. Users&apos; devices have a fixed limit of their own.
      </p>
      {state.status === "saved" && (
        <p role="status" className="text-sm text-emerald-700">
          Saved: {state.totalRuns} at once, {state.perUserRuns} per user, {state.hubWorkerInstances} processes per worker credential.
        </p>
      )}
      {state.status === "error" && state.message && <p role="alert" className="field-error w-full">{state.message}</p>}
    </form>
  );
}
