"use client";

import { useActionState } from "react";
import type { ErrorCode } from "../../lib/errors.ts";
import type { ProblemState } from "../../lib/actions/safe-action.ts";
import type { InviteSignUp, ProjectInviteView, ProjectRole } from "../../lib/projects/types.ts";
import { ActionButton } from "../action-problem.tsx";
import { formatTime } from "../time.ts";

export type InviteFormState =
  | { status: "idle" }
  | { status: "created"; path: string; email: string; signUp: InviteSignUp }
  | { status: "error"; errors: Record<string, string>; message: string; code: ErrorCode };

const SIGN_UP_NOTE: Record<InviteSignUp, string> = {
  open: "Someone without an account can create one from this link.",
  invite: "Sign-up is by invitation on this hub: this link also creates one account.",
  "account-needed": "Sign-up on this hub needs an admin's invite: if they have no account yet, ask an admin to invite them first.",
};
const ROLES: ProjectRole[] = ["owner", "operator", "viewer"];

/** Invites an e-mail address at a role; the link is shown once, to be sent by the inviter. */
export function InviteForm({ action, origin }: { action: (s: InviteFormState, d: FormData) => Promise<InviteFormState>; origin: string }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const errors = state.status === "error" ? state.errors : {};
  return (
    <form action={formAction} className="space-y-2" aria-label="Invite by e-mail">
      <div className="flex flex-wrap items-end gap-2">
        <div>
          <label htmlFor="invite-email" className="label">E-mail</label>
          <input id="invite-email" name="email" type="email" required className="input mt-1 w-60" aria-invalid={errors.email ? true : undefined} />
        </div>
        <div>
          <label htmlFor="invite-role" className="label">Role</label>
          <select id="invite-role" name="role" defaultValue="viewer" className="input mt-1 w-32">
            {ROLES.map((r) => (
              <option key={r} value={r}>{r}</option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn" disabled={pending}>Create invite link</button>
      </div>
      {state.status === "error" && (
        <p role="alert" data-code={state.code} className="text-sm text-red-700">{errors.email ?? state.message}</p>
      )}
      {state.status === "created" && (
        <div role="status" className="space-y-1 rounded-md border border-emerald-200 bg-emerald-50 p-2 text-sm text-emerald-900">
          <p>Send this link to {state.email}; it is shown only now and works once:</p>
          <input readOnly aria-label="Invite link" value={`${origin}${state.path}`} className="input w-full font-mono text-xs" />
          <p className="text-xs">{SIGN_UP_NOTE[state.signUp]}</p>
        </div>
      )}
    </form>
  );
}

export function InviteList({ invites, revokeAction }: { invites: ProjectInviteView[]; revokeAction: (s: ProblemState, d: FormData) => Promise<ProblemState> }) {
  if (!invites.length) return <p className="text-sm text-zinc-500">No invites yet.</p>;
  return (
    <ul className="divide-y divide-zinc-100 text-sm" aria-label="Invites">
      {invites.map((i) => (
        <li key={i.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-1.5">
          <span className="font-medium break-all">{i.email}</span>
          <span className="text-zinc-500">{i.role}</span>
          <span className="text-xs text-zinc-500">
            {i.state === "used" ? `accepted by ${i.usedBy ?? "a deleted account"}` : i.state === "expired" ? "expired" : `pending until ${formatTime(i.expiresAt).slice(0, 16)} UTC`}
          </span>
          {i.state === "pending" && (
            <span className="ml-auto">
              <ActionButton action={revokeAction} fields={{ id: i.id }} ariaLabel={`Withdraw the invite for ${i.email}`} className="btn py-0.5 text-xs">
                Withdraw
              </ActionButton>
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
