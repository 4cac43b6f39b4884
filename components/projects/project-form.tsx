"use client";

import { useActionState } from "react";
import type { ErrorCode } from "../../lib/errors.ts";
import { WindowFields } from "./window-fields.tsx";

export type ProjectFormState = { status: "idle" } | { status: "saved" } | { status: "error"; errors: Record<string, string>; message: string | null; code: ErrorCode };

export interface ProjectFormValues {
  slug?: string;
  name: string;
  description: string;
  client: string;
  windowStart: string | null;
  windowEnd: string | null;
}

function Field({ id, label, error, hint, children }: { id: string; label: string; error?: string; hint?: string; children: React.ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="label">{label}</label>
      {children}
      {hint && <p className="hint">{hint}</p>}
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}

/**
 * A project's details and window: creating one (with its slug, fixed afterwards) or editing it.
 * A personal project keeps its name.
 */
export function ProjectForm({
  action,
  initial,
  mode,
  nameLocked = false,
}: {
  action: (state: ProjectFormState, data: FormData) => Promise<ProjectFormState>;
  initial: ProjectFormValues;
  mode: "create" | "edit";
  nameLocked?: boolean;
}) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const errors = state.status === "error" ? state.errors : {};
  return (
    <form action={formAction} className="space-y-3" aria-label={mode === "create" ? "New project" : "Project details"}>
      {mode === "create" && (
        <Field id="field-slug" label="Short name" error={errors.slug} hint="In its address: /projects/<short name>. Lower-case letters, digits, - and _.">
          <input id="field-slug" name="slug" required defaultValue={initial.slug} className="input mt-1 font-mono" aria-invalid={errors.slug ? true : undefined} autoComplete="off" />
        </Field>
      )}
      <div className="grid gap-3 sm:grid-cols-2">
        <Field id="field-name" label="Name" error={errors.name}>
          <input id="field-name" name={nameLocked ? undefined : "name"} required defaultValue={initial.name} disabled={nameLocked} className="input mt-1" aria-invalid={errors.name ? true : undefined} />
        </Field>
        <Field id="field-client" label="Client" error={errors.client}>
          <input id="field-client" name="client" defaultValue={initial.client} className="input mt-1" />
        </Field>
      </div>
      <Field id="field-description" label="Description" error={errors.description}>
        <textarea id="field-description" name="description" rows={3} defaultValue={initial.description} className="input mt-1" />
      </Field>
      <WindowFields start={initial.windowStart} end={initial.windowEnd} errors={errors} />
      <div className="flex flex-wrap items-center gap-2">
        <button type="submit" className="btn btn-primary" disabled={pending}>{mode === "create" ? "Create project" : "Save details"}</button>
        {state.status === "saved" && <span role="status" className="text-sm text-emerald-700">Saved.</span>}
        {state.status === "error" && state.message && (
          <span role="alert" data-code={state.code} className="text-sm text-red-700">
            {state.message}
          </span>
        )}
      </div>
    </form>
  );
}
