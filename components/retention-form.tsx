"use client";

import { useActionState } from "react";

export type RetentionState =
  | { status: "idle" }
  | { status: "error"; message: string; errors?: Record<string, string> }
  | { status: "saved"; auditDays: number | null };

/**
 * Admin → Retention: how long the hub keeps its records. One section for every kind of record;
 * the audit trail is the first. Older rows are deleted once an hour.
 */
export function RetentionForm({ auditDays, bounds, action }: { auditDays: number | null; bounds: { min: number; max: number }; action: (s: RetentionState, d: FormData) => Promise<RetentionState> }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const error = state.status === "error" ? (state.errors?.auditDays ?? state.message) : undefined;
  return (
    <form action={formAction} className="card space-y-3 p-4" aria-label="Retention">
      <div>
        <label htmlFor="audit-days" className="label">Keep audit events for (days)</label>
        <input
          id="audit-days"
          name="auditDays"
          type="number"
          min={bounds.min}
          max={bounds.max}
          step={1}
          defaultValue={auditDays ?? ""}
          placeholder="for ever"
          className="input mt-1 max-w-40 font-mono"
          aria-invalid={error ? true : undefined}
          aria-describedby="audit-days-hint"
        />
        <p id="audit-days-hint" className="hint">
          Empty keeps every event. Events older than this are deleted within the hour; export them first (Audit → CSV) if you must keep them elsewhere. {bounds.min} to {bounds.max} days.
        </p>
        {error && <p role="alert" className="field-error">{error}</p>}
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className="btn" disabled={pending}>Save</button>
        {state.status === "saved" && <p role="status" className="text-sm text-emerald-700">Saved: audit events are kept {state.auditDays === null ? "for ever" : `${state.auditDays} days`}.</p>}
      </div>
    </form>
  );
}
