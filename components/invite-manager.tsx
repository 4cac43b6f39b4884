"use client";

import type { ProblemState } from "../lib/actions/safe-action.ts";
import type { InviteSummary } from "../lib/accounts/invites.ts";
import { SecretField, SecretManager, type CreateSecretAction } from "./secret-manager.tsx";
import { formatTime } from "./time.ts";

const STATE_STYLE: Record<InviteSummary["state"], string> = {
  pending: "badge border-emerald-200 bg-emerald-50 text-emerald-800",
  used: "badge",
  expired: "badge border-amber-200 bg-amber-50 text-amber-800",
};

/** Create invite links for one e-mail each (the link shown once), list them and revoke unused ones. */
export function InviteManager({ invites, createAction, revokeAction }: { invites: InviteSummary[]; createAction: CreateSecretAction; revokeAction: (state: ProblemState, data: FormData) => Promise<ProblemState> }) {
  return (
    <SecretManager
      formLabel="Create an invite"
      createAction={createAction}
      submitLabel="Create invite link"
      fields={(errors) => (
        <>
          <SecretField id="invite-email" name="email" type="email" label="E-mail" placeholder="who you invite" error={errors.email} />
          <SecretField id="invite-note" name="note" label="Note" placeholder="optional" error={errors.note} />
          <SecretField id="invite-days" name="days" type="number" min={1} max={30} defaultValue={7} label="Valid for (days)" error={errors.days} className="w-32" />
        </>
      )}
      shown={(c) => ({
        title: `Invite for ${c.name} created. Copy the link now: it will not be shown again. It works once${c.expiresAt ? `, until ${formatTime(c.expiresAt)} UTC` : ""}, for that e-mail only.`,
        label: "New invite link",
        value: c.secret,
      })}
      tableLabel="Invites"
      items={invites}
      empty="No invites yet."
      columns={[
        { header: "E-mail", cell: (i) => i.email ?? <span className="text-zinc-400">any (older invite)</span> },
        { header: "Note", cell: (i) => i.note || <span className="text-zinc-400">—</span> },
        { header: "State", cell: (i) => <span className={STATE_STYLE[i.state]}>{i.state}</span> },
        { header: "Created", cell: (i) => `${formatTime(i.createdAt)}${i.createdBy ? ` by ${i.createdBy}` : ""}`, className: "text-xs tabular-nums" },
        { header: "Expires", cell: (i) => formatTime(i.expiresAt), className: "text-xs tabular-nums" },
        { header: "Used by", cell: (i) => i.usedBy ?? (i.usedAt ? "(deleted account)" : "—"), className: "text-xs" },
      ]}
      revoke={{ action: revokeAction, label: (i) => `Revoke invite ${i.email ?? i.note ?? i.id}`, can: (i) => i.state !== "used" }}
    />
  );
}
