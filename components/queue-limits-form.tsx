"use client";

import { useActionState } from "react";

export interface QueueLimits {
  totalRuns: number;
  perUserRuns: number;
  queuedPerUser: number;
  scansPerUser: number;
  hubWorkerInstances: number;
}

export type QueueLimitsState = { status: "idle" } | { status: "error"; errors: Record<string, string>; message: string | null } | ({ status: "saved" } & QueueLimits);

const FIELDS: { name: keyof QueueLimits; id: string; label: string; max: number }[] = [
  { name: "totalRuns", id: "q-total", label: "Runs at once (hub)", max: 10_000 },
  { name: "perUserRuns", id: "q-user", label: "Runs at once (per user)", max: 10_000 },
  { name: "queuedPerUser", id: "q-queued", label: "Runs waiting (per user)", max: 100_000 },
  { name: "scansPerUser", id: "q-scans", label: "Saved scans (per user)", max: 100_000 },
  { name: "hubWorkerInstances", id: "q-instances", label: "Processes per worker credential", max: 1000 },
];

/**
 * Runs at once in the whole hub and per user (each worker adds its own capacity as a third limit),
 * the per-user caps on runs waiting in the queue and on saved scans, and how many processes one hub
 * worker credential may run at once (a device's figure is fixed).
 */
export function QueueLimitsForm({ limits, action }: { limits: QueueLimits; action: (state: QueueLimitsState, data: FormData) => Promise<QueueLimitsState> }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const errors = state.status === "error" ? state.errors : {};
  return (
    <form action={formAction} className="card flex flex-wrap items-end gap-3 p-4" aria-label="Queue limits">
      {FIELDS.map((f) => (
        <div key={f.name} className="w-44">
          <label htmlFor={f.id} className="label">{f.label}</label>
          <input id={f.id} name={f.name} type="number" min={1} max={f.max} defaultValue={limits[f.name]} className="input mt-1" aria-invalid={errors[f.name] ? true : undefined} />
          {errors[f.name] && <p className="field-error">{errors[f.name]}</p>}
        </div>
      ))}
      <button type="submit" className="btn btn-primary" disabled={pending}>Save limits</button>
      <p className="w-full text-xs text-zinc-500">
        A worker process registering past its credential&apos;s number is refused until one of them stops or is lost. Users&apos; devices have a fixed limit of their own.
      </p>
      {state.status === "saved" && (
        <p role="status" className="text-sm text-emerald-700">
          Saved: {state.totalRuns} at once, {state.perUserRuns} per user; {state.queuedPerUser} waiting and {state.scansPerUser} saved scans per user; {state.hubWorkerInstances} processes per worker credential.
        </p>
      )}
      {state.status === "error" && state.message && <p role="alert" className="field-error w-full">{state.message}</p>}
    </form>
  );
}
