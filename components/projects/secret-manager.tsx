"use client";

import { useActionState } from "react";
import type { ErrorCode } from "../../lib/errors.ts";
import type { ProblemState } from "../../lib/actions/safe-action.ts";
import type { SecretView } from "../../lib/secrets/types.ts";
import { ActionButton } from "../action-problem.tsx";
import { formatTime } from "../time.ts";

/**
 * A project's secrets (project settings): what a secret is for and who can read it, said plainly;
 * the list by name with who may use each; a form to add one; per secret, a form to give it a new
 * value, description or roles. A value goes to the hub once and is never shown again, here or
 * anywhere: the forms only ever send one.
 */

export type SecretFormState =
  | { status: "idle" }
  | { status: "saved"; name: string }
  | { status: "error"; errors: Record<string, string>; message: string; code: ErrorCode };

type SecretAction = (state: SecretFormState, data: FormData) => Promise<SecretFormState>;

const ROLE_CHOICES = [
  { role: "operator", label: "operators" },
  { role: "owner", label: "owners" },
] as const;

/** What everyone who manages or uses secrets must know. */
export function SecretNotice({ personal }: { personal: boolean }) {
  return (
    <div className="space-y-1 text-sm text-zinc-600">
      <p>
        A secret (an API key, a token) reaches a tool only through a parameter of a secret kind that the person starting the run binds to it, and only a tool whose
        container the package forwards it to gets the value. The run&apos;s arguments keep its name, never its value, and the hub masks it in logs, documents and errors.
      </p>
      <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900" role="note">
        <strong>Whoever may use a secret can read it:</strong> a package of their own can print it or send it anywhere.{" "}
        {personal ? "Your own secrets serve only your runs, in any project." : "Give it only to the roles you would tell it to."} Values are write-only: once saved,
        nobody can read one here (you included); give a new value to change it.
      </p>
    </div>
  );
}

function RoleBoxes({ idPrefix, initial, errors }: { idPrefix: string; initial: readonly string[]; errors?: string }) {
  return (
    <fieldset className="text-sm">
      <legend className="label">Who may use it</legend>
      <input type="hidden" name="rolesShown" value="1" />
      <div className="mt-1 flex gap-4">
        {ROLE_CHOICES.map((c) => (
          <label key={c.role} className="flex items-center gap-1" htmlFor={`${idPrefix}-${c.role}`}>
            <input id={`${idPrefix}-${c.role}`} type="checkbox" name="roles" value={c.role} defaultChecked={initial.includes(c.role)} />
            {c.label}
          </label>
        ))}
      </div>
      {errors && <p role="alert" className="field-error">{errors}</p>}
    </fieldset>
  );
}

function Answer({ state, saved }: { state: SecretFormState; saved: (name: string) => string }) {
  if (state.status === "saved") return <p role="status" className="w-full text-sm text-emerald-700">{saved(state.name)}</p>;
  if (state.status === "error" && !Object.keys(state.errors).length) {
    return (
      <p role="alert" data-code={state.code} className="w-full text-sm text-red-700">
        {state.message}
      </p>
    );
  }
  return null;
}

/** Adds a secret: its name, value, description, and (team projects) who may use it. */
export function AddSecretForm({ action, personal }: { action: SecretAction; personal: boolean }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const errors = state.status === "error" ? state.errors : {};
  return (
    <form action={formAction} className="space-y-3" aria-label="Add a secret" autoComplete="off">
      <div className="grid gap-3 sm:grid-cols-2">
        <div>
          <label htmlFor="secret-name" className="label">Name</label>
          <input id="secret-name" name="name" required className="input mt-1 font-mono" placeholder="SHODAN_API_KEY" aria-invalid={errors.name ? true : undefined} aria-describedby={errors.name ? "secret-name-error" : undefined} />
          {errors.name && <p id="secret-name-error" role="alert" className="field-error">{errors.name}</p>}
        </div>
        <div>
          <label htmlFor="secret-value" className="label">Value</label>
          <input id="secret-value" name="value" type="password" required className="input mt-1 font-mono" autoComplete="new-password" spellCheck={false} aria-invalid={errors.value ? true : undefined} aria-describedby="secret-value-hint" />
          <p id="secret-value-hint" className="mt-1 text-xs text-zinc-500">
            Write-only: it is sent once and never shown again.{errors.value && <span role="alert" className="field-error block">{errors.value}</span>}
          </p>
        </div>
      </div>
      <div>
        <label htmlFor="secret-description" className="label">Description</label>
        <input id="secret-description" name="description" className="input mt-1" placeholder="what it is for, whose account" aria-invalid={errors.description ? true : undefined} />
        {errors.description && <p role="alert" className="field-error">{errors.description}</p>}
      </div>
      {!personal && <RoleBoxes idPrefix="secret-new-role" initial={["operator", "owner"]} errors={errors.roles} />}
      <div className="flex flex-wrap items-center gap-2">
        <button type="submit" className="btn btn-primary" disabled={pending}>Add secret</button>
        <Answer state={state} saved={(name) => `Saved ${name}. Its value will not be shown again.`} />
      </div>
    </form>
  );
}

function ChangeSecretForm({ secret, action, personal }: { secret: SecretView; action: SecretAction; personal: boolean }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const errors = state.status === "error" ? state.errors : {};
  const id = `secret-${secret.id}`;
  return (
    <form action={formAction} className="space-y-2 pt-2" aria-label={`Change secret ${secret.name}`} autoComplete="off">
      <div>
        <label htmlFor={`${id}-value`} className="label">New value</label>
        <input id={`${id}-value`} name="value" type="password" className="input mt-1 font-mono" autoComplete="new-password" spellCheck={false} placeholder="leave empty to keep the current one" aria-invalid={errors.value ? true : undefined} />
        {errors.value && <p role="alert" className="field-error">{errors.value}</p>}
      </div>
      <div>
        <label htmlFor={`${id}-description`} className="label">Description</label>
        <input id={`${id}-description`} name="description" className="input mt-1" defaultValue={secret.description} />
      </div>
      {!personal && <RoleBoxes idPrefix={`${id}-role`} initial={secret.roles} errors={errors.roles} />}
      <div className="flex flex-wrap items-center gap-2">
        <button type="submit" className="btn py-0.5 text-xs" disabled={pending}>Save {secret.name}</button>
        <Answer state={state} saved={(name) => `Saved ${name}.`} />
      </div>
    </form>
  );
}

/** The project's secrets by name, with who may use each and when a run last did. */
export function SecretTable({
  secrets,
  personal,
  deleteAction,
}: {
  secrets: { secret: SecretView; updateAction: SecretAction }[];
  personal: boolean;
  deleteAction: (s: ProblemState, d: FormData) => Promise<ProblemState>;
}) {
  if (!secrets.length) return <p className="text-sm text-zinc-500">No secrets yet.</p>;
  return (
    <ul className="divide-y divide-zinc-100 text-sm" aria-label="Secrets">
      {secrets.map(({ secret: s, updateAction }) => (
        <li key={s.id} data-secret={s.name} className="py-2">
          <div className="flex flex-wrap items-start justify-between gap-2">
            <div className="min-w-0">
              <span className="font-mono font-medium">{s.name}</span>
              <span className="ml-2 font-mono text-xs text-zinc-400" aria-label="value">••••••••</span>
              {s.description && <p className="text-zinc-600">{s.description}</p>}
              <p className="text-xs text-zinc-500">
                {personal ? "you, in any project" : `used by ${s.roles.map((r) => `${r}s`).join(" and ")}`} · changed {formatTime(s.updatedAt).slice(0, 16)}
                {s.createdBy ? ` · added by ${s.createdBy}` : ""} · {s.lastUsedAt ? `last used ${formatTime(s.lastUsedAt).slice(0, 16)}` : "never used"}
              </p>
            </div>
            <ActionButton action={deleteAction} fields={{ id: s.id }} ariaLabel={`Delete secret ${s.name}`} className="btn py-0.5 text-xs text-red-700">
              Delete
            </ActionButton>
          </div>
          <details className="mt-1">
            <summary className="cursor-pointer text-xs text-accent-700">Change value, description{personal ? "" : " or roles"}</summary>
            <ChangeSecretForm secret={s} action={updateAction} personal={personal} />
          </details>
        </li>
      ))}
    </ul>
  );
}

/** Whether runs sent to users' devices may carry this project's secrets (only ever over https). */
export function DevicesToggle({ allowed, action }: { allowed: boolean; action: (s: ProblemState, d: FormData) => Promise<ProblemState> }) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
      <p className="text-zinc-600">
        {allowed
          ? "Runs sent to members' devices may carry these secrets, only over https."
          : "These secrets stay on the hub's workers: a run sent to a device cannot bind them."}
      </p>
      <ActionButton action={action} fields={{ allow: allowed ? "false" : "true" }} ariaLabel={allowed ? "Keep secrets off devices" : "Let devices receive secrets"} className="btn py-0.5 text-xs">
        {allowed ? "Keep them off devices" : "Allow devices (https only)"}
      </ActionButton>
    </div>
  );
}
