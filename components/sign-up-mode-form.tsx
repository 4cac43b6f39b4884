"use client";

import { useActionState } from "react";

export type SignUpModeState = { status: "idle" } | { status: "saved"; mode: string } | { status: "error"; message: string };

const MODES = [
  { value: "open", label: "Open", hint: "Anyone who can reach the hub may create an account." },
  { value: "invite", label: "Invite only", hint: "Only holders of an invite link below may create an account." },
  { value: "closed", label: "Closed", hint: "Nobody may create an account (the admin set-up link still works)." },
] as const;

/** The admin's choice of who may sign up. */
export function SignUpModeForm({ mode, action }: { mode: string; action: (state: SignUpModeState, data: FormData) => Promise<SignUpModeState> }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  return (
    <form action={formAction} className="card space-y-3 p-4" aria-label="Sign-up mode">
      <fieldset className="space-y-2">
        <legend className="label mb-1">Who may sign up</legend>
        {MODES.map((m) => (
          <label key={m.value} className="flex items-start gap-2 text-sm">
            <input type="radio" name="mode" value={m.value} defaultChecked={m.value === mode} className="mt-1" />
            <span>
              <span className="font-medium">{m.label}</span>
              <span className="block text-xs text-zinc-500">{m.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {state.status === "error" && <p role="alert" className="field-error">{state.message}</p>}
      {state.status === "saved" && <p role="status" className="text-sm text-emerald-800">Saved: sign-up is now {MODES.find((m) => m.value === state.mode)?.label.toLowerCase()}.</p>}
      <button type="submit" className="btn btn-primary" disabled={pending}>Save sign-up mode</button>
    </form>
  );
}
