"use client";

import { useActionState } from "react";
import type { ErrorCode } from "../../lib/errors.ts";
import type { ProjectScopeView } from "../../lib/projects/types.ts";
import { SCOPE_ENFORCEMENT_NOTE } from "./scope-summary.tsx";

export type ScopeFormState =
  | { status: "idle" }
  | { status: "saved" }
  | { status: "error"; errors: Partial<Record<"allow" | "exclude" | "services", string>>; message: string | null; code: ErrorCode };

const LISTS = [
  { key: "allow", label: "Allowed targets", hint: "One a line: 10.231.0.0/16, 192.0.2.7, 2001:db8::/64, example.com, *.example.com (names below it), https://app.example.com:8443; ports after a space: 10.0.0.0/24 22,80,8000-8100." },
  { key: "exclude", label: "Excluded", hint: "The same kinds; an exclusion always wins over what is allowed." },
  { key: "services", label: "Service endpoints", hint: "host:port the project's tools may reach that are not targets (api.shodan.io:443)." },
] as const;

/**
 * Project settings → Scope (owners): the three lists as text, one entry a line, and the two
 * recorded flags. Empty lists unscope the project. The hub checks and normalises every entry.
 */
export function ScopeForm({ action, initial }: { action: (state: ScopeFormState, data: FormData) => Promise<ScopeFormState>; initial: ProjectScopeView }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const errors = state.status === "error" ? state.errors : {};
  return (
    <form action={formAction} className="space-y-3" aria-label="Scope">
      <div className="grid gap-3 md:grid-cols-3">
        {LISTS.map(({ key, label, hint }) => (
          <div key={key}>
            <label htmlFor={`scope-${key}`} className="label">{label}</label>
            <textarea
              id={`scope-${key}`}
              name={key}
              rows={5}
              defaultValue={(initial.scope?.[key] ?? []).join("\n")}
              className="input mt-1 font-mono text-xs"
              spellCheck={false}
              aria-invalid={errors[key] ? true : undefined}
              aria-describedby={`scope-${key}-hint`}
            />
            <p id={`scope-${key}-hint`} className="hint">{hint}</p>
            {errors[key] && <p className="field-error">{errors[key]}</p>}
          </div>
        ))}
      </div>
      <fieldset className="space-y-1 text-sm">
        <legend className="sr-only">Enforcement settings</legend>
        <label className="flex items-center gap-2">
          <input type="checkbox" name="requireEnforcement" defaultChecked={initial.requireEnforcement} />
          Require enforcement: runs go only to engines that enforce the scope <span className="text-xs text-zinc-500">(never to devices; host-network runs refused)</span>
        </label>
        <label className="flex items-center gap-2">
          <input type="checkbox" name="allowHostNetwork" defaultChecked={initial.allowHostNetwork} />
          Allow host-network runs in this scoped project <span className="text-xs text-zinc-500">(they run unenforced, and their run page says so)</span>
        </label>
      </fieldset>
      <p className="text-xs text-zinc-500">Scope: {SCOPE_ENFORCEMENT_NOTE}. URL paths are never part of a scope.</p>
      <div className="flex flex-wrap items-center gap-2">
        <button type="submit" className="btn btn-primary" disabled={pending}>Save scope</button>
        {state.status === "saved" && <span role="status" className="text-sm text-emerald-700">Saved.</span>}
        {state.status === "error" && state.message && (
          <span role="alert" data-code={state.code} className="text-sm text-red-700">{state.message}</span>
        )}
      </div>
    </form>
  );
}
