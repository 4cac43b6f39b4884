"use client";

import { useActionState } from "react";

export type HubAccessState = { status: "idle" } | { status: "saved"; message: string } | { status: "error"; message: string };
type Action = (state: HubAccessState, data: FormData) => Promise<HubAccessState>;

function Outcome({ state }: { state: HubAccessState }) {
  if (state.status === "error") return <p role="alert" className="field-error w-full">{state.message}</p>;
  if (state.status === "saved") return <p role="status" className="w-full text-sm text-emerald-800">{state.message}</p>;
  return null;
}

/** The address invite links and device enrolment commands use; empty: the address the admin's browser used. */
export function PublicUrlForm({ publicUrl, seen, action }: { publicUrl: string | null; seen: string; action: Action }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  return (
    <form action={formAction} className="card flex flex-wrap items-end gap-3 p-4" aria-label="Public URL">
      <div className="min-w-72 flex-1">
        <label htmlFor="public-url" className="label">Public URL of this hub</label>
        <input id="public-url" name="publicUrl" defaultValue={publicUrl ?? ""} placeholder={seen} className="input mt-1 font-mono" aria-describedby="public-url-hint" />
        <p id="public-url-hint" className="hint">
          What invite links and device enrolment commands point at. Empty: the address each browser reached the hub at (yours: <code>{seen}</code>).
        </p>
      </div>
      <button type="submit" className="btn btn-primary" disabled={pending}>Save URL</button>
      <Outcome state={state} />
    </form>
  );
}

const REQUIREMENTS = [
  { value: "none", label: "Optional", hint: "Everyone may turn it on in Settings → Security." },
  { value: "admins", label: "Required for admins", hint: "Admins without it are sent to set it up and can do nothing else until they have." },
  { value: "everyone", label: "Required for everyone", hint: "Every account without it is sent to set it up first; its API tokens stop working until then." },
] as const;

/** Whose accounts must sign in with a second factor. */
export function TwoFactorRequirementForm({ required, action }: { required: string; action: Action }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  return (
    <form action={formAction} className="card space-y-3 p-4" aria-label="Two-factor requirement">
      <fieldset className="space-y-2">
        <legend className="label mb-1">Two-factor sign-in</legend>
        {REQUIREMENTS.map((r) => (
          <label key={r.value} className="flex items-start gap-2 text-sm">
            <input type="radio" name="required" value={r.value} defaultChecked={r.value === required} className="mt-1" />
            <span>
              <span className="font-medium">{r.label}</span>
              <span className="block text-xs text-zinc-500">{r.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <button type="submit" className="btn btn-primary" disabled={pending}>Save two-factor rule</button>
      <Outcome state={state} />
    </form>
  );
}
