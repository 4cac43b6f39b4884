"use client";

import { useActionState } from "react";
import type { ProblemState } from "../lib/actions/safe-action.ts";
import { ActionButton } from "./action-problem.tsx";
import type { InviteSummary } from "../lib/accounts/invites.ts";
import { formatTime } from "./time.ts";

export type CreateInviteState =
  | { status: "idle" }
  | { status: "error"; errors: Record<string, string>; message: string | null }
  | { status: "created"; link: string; expiresAt: string };

const STATE_STYLE: Record<InviteSummary["state"], string> = {
  pending: "badge border-emerald-200 bg-emerald-50 text-emerald-800",
  used: "badge",
  expired: "badge border-amber-200 bg-amber-50 text-amber-800",
};

/** Create invite links (each shown once), list them and revoke unused ones. */
export function InviteManager({
  invites,
  createAction,
  revokeAction,
}: {
  invites: InviteSummary[];
  createAction: (state: CreateInviteState, data: FormData) => Promise<CreateInviteState>;
  revokeAction: (state: ProblemState, data: FormData) => Promise<ProblemState>;
}) {
  const [state, formAction, pending] = useActionState(createAction, { status: "idle" });
  const errors = state.status === "error" ? state.errors : {};
  return (
    <div className="space-y-4">
      <form action={formAction} className="card flex flex-wrap items-end gap-3 p-4" aria-label="Create an invite">
        <div className="min-w-60 flex-1">
          <label htmlFor="invite-note" className="label">Note</label>
          <input id="invite-note" name="note" className="input mt-1" placeholder="who it is for" aria-invalid={errors.note ? true : undefined} />
          {errors.note && <p className="field-error">{errors.note}</p>}
        </div>
        <div className="w-32">
          <label htmlFor="invite-days" className="label">Valid for (days)</label>
          <input id="invite-days" name="days" type="number" min={1} max={30} defaultValue={7} className="input mt-1" aria-invalid={errors.days ? true : undefined} />
          {errors.days && <p className="field-error">{errors.days}</p>}
        </div>
        <button type="submit" className="btn btn-primary" disabled={pending}>Create invite link</button>
        {state.status === "error" && state.message && <p role="alert" className="field-error w-full">{state.message}</p>}
      </form>
      {state.status === "created" && (
        <div role="status" className="rounded-md border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-900">
          <p className="font-semibold">Invite created. Copy the link now: it will not be shown again. It works once, until {formatTime(state.expiresAt)} UTC.</p>
          <label htmlFor="new-invite" className="sr-only">New invite link</label>
          <input id="new-invite" readOnly value={state.link} className="input mt-2 font-mono" onFocus={(e) => e.currentTarget.select()} />
        </div>
      )}
      {invites.length === 0 ? (
        <p className="text-sm text-zinc-500">No invites yet.</p>
      ) : (
        <div className="card overflow-hidden">
          <table className="table-dense" aria-label="Invites">
            <thead>
              <tr>
                <th scope="col">Note</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Used by</th>
                <th scope="col"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {invites.map((i) => (
                <tr key={i.id}>
                  <td>{i.note || <span className="text-zinc-400">—</span>}</td>
                  <td><span className={STATE_STYLE[i.state]}>{i.state}</span></td>
                  <td className="text-xs tabular-nums">{formatTime(i.createdAt)}{i.createdBy ? ` by ${i.createdBy}` : ""}</td>
                  <td className="text-xs tabular-nums">{formatTime(i.expiresAt)}</td>
                  <td className="text-xs">{i.usedBy ?? (i.usedAt ? "(deleted account)" : "—")}</td>
                  <td className="text-right">
                    {i.state !== "used" && (
                      <ActionButton action={revokeAction} fields={{ id: i.id }} className="btn btn-danger py-0.5 text-xs" ariaLabel={`Revoke invite ${i.note || i.id}`}>
                        Revoke
                      </ActionButton>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
