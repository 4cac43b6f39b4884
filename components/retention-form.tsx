"use client";

import { useActionState } from "react";
import type { RetentionKind, RetentionSettings } from "../lib/platform/retention-settings.ts";
import { RETENTION_LABELS } from "./retention-labels.ts";

export type RetentionFormState = { status: "idle" } | { status: "error"; errors: Record<string, string>; message: string | null } | { status: "saved"; settings: RetentionSettings };

/** Days each kind is kept; a blank field keeps that kind for ever. */
export function RetentionForm({ settings, bounds, action }: { settings: RetentionSettings; bounds: { min: number; max: number }; action: (s: RetentionFormState, d: FormData) => Promise<RetentionFormState> }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const errors = state.status === "error" ? state.errors : {};
  return (
    <form action={formAction} className="card grid gap-4 p-4 sm:grid-cols-2 lg:grid-cols-3" aria-label="Retention">
      {(Object.keys(RETENTION_LABELS) as RetentionKind[]).map((k) => (
        <div key={k}>
          <label htmlFor={`ret-${k}`} className="label">
            {RETENTION_LABELS[k].label} (days)
          </label>
          <input
            id={`ret-${k}`}
            name={k}
            type="number"
            min={bounds.min}
            max={bounds.max}
            placeholder="kept for ever"
            defaultValue={settings[k] ?? ""}
            className="input mt-1"
            aria-invalid={errors[k] ? true : undefined}
            aria-describedby={`ret-${k}-help`}
          />
          <p id={`ret-${k}-help`} className="mt-1 text-xs text-zinc-500">
            {RETENTION_LABELS[k].help}
          </p>
          {errors[k] && <p className="field-error">{errors[k]}</p>}
        </div>
      ))}
      <div className="flex flex-wrap items-center gap-3 sm:col-span-2 lg:col-span-3">
        <button type="submit" className="btn btn-primary" disabled={pending}>
          Save retention
        </button>
        {state.status === "saved" && (
          <p role="status" className="text-sm text-emerald-700">
            Saved; the preview below follows it.
          </p>
        )}
        {state.status === "error" && state.message && (
          <p role="alert" className="field-error">
            {state.message}
          </p>
        )}
      </div>
    </form>
  );
}
