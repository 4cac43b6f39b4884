"use client";

import type { ProblemState } from "../lib/actions/safe-action.ts";
import { useActionState, useState } from "react";
import { ProblemNote } from "./action-problem.tsx";
import type { TokenScope, TokenSummary } from "../lib/types.ts";
import { SecretField, SecretManager, type CreateSecretAction } from "./secret-manager.tsx";
import { formatTime } from "./time.ts";

export interface TokenFormOptions {
  /** the scopes this user may give a token, with what each allows */
  scopes: { scope: TokenScope; description: string; checked: boolean }[];
  /** lifetimes offered, in days, and the default */
  days: readonly number[];
  defaultDays: number;
  maxDays: number;
  /** namespaces the user publishes into (a token may be limited to one) */
  namespaces: string[];
}

function ExpiryField({ days, defaultDays, maxDays, error }: { days: readonly number[]; defaultDays: number; maxDays: number; error?: string }) {
  const [choice, setChoice] = useState(String(defaultDays));
  return (
    <div className="w-48">
      <label htmlFor="token-days" className="label">Expires after</label>
      <select id="token-days" name={choice === "custom" ? "" : "days"} value={choice} onChange={(e) => setChoice(e.target.value)} className="input mt-1">
        {days.map((d) => (
          <option key={d} value={d}>{d} days</option>
        ))}
        <option value="custom">another number of days…</option>
      </select>
      {choice === "custom" && (
        <>
          <label htmlFor="token-custom-days" className="sr-only">Days until it expires</label>
          <input id="token-custom-days" name="days" type="number" min={1} max={maxDays} required className="input mt-1" placeholder={`1–${maxDays}`} />
        </>
      )}
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}

/** Create (the secret is shown once), list, renew and revoke API tokens. */
export function TokenManager({
  tokens,
  options,
  createAction,
  revokeAction,
  renewAction,
}: {
  tokens: TokenSummary[];
  options: TokenFormOptions;
  createAction: CreateSecretAction;
  revokeAction: (state: ProblemState, data: FormData) => Promise<ProblemState>;
  renewAction: (state: ProblemState, data: FormData) => Promise<ProblemState>;
}) {
  const now = Date.now();
  return (
    <SecretManager
      formLabel="Create a token"
      createAction={createAction}
      submitLabel="Create token"
      formClassName="card flex flex-wrap items-start gap-4 p-4"
      fields={(errors) => (
        <>
          <SecretField id="token-name" name="name" label="Token name" placeholder="ci, laptop…" error={errors.name} className="w-60" />
          <ExpiryField days={options.days} defaultDays={options.defaultDays} maxDays={options.maxDays} error={errors.days} />
          <fieldset className="min-w-72 flex-1 space-y-1 text-sm">
            <legend className="label">Scopes</legend>
            {options.scopes.map((s) => (
              <label key={s.scope} className="flex items-start gap-2">
                <input type="checkbox" name="scopes" value={s.scope} defaultChecked={s.checked} className="mt-1" />
                <span>
                  <code>{s.scope}</code> <span className="text-xs text-zinc-500">{s.description}</span>
                </span>
              </label>
            ))}
            {errors.scopes && <p className="field-error">{errors.scopes}</p>}
          </fieldset>
          <div className="w-56">
            <label htmlFor="token-namespace" className="label">Only the namespace</label>
            <select id="token-namespace" name="namespace" defaultValue="" className="input mt-1">
              <option value="">any (no limit)</option>
              {options.namespaces.map((n) => (
                <option key={n} value={n}>{n}</option>
              ))}
            </select>
            <p className="hint">Publishes only there and sees private packages only there.</p>
            {errors.namespace && <p className="field-error">{errors.namespace}</p>}
          </div>
        </>
      )}
      shown={(c) => ({
        title: `Token “${c.name}” created${c.expiresAt ? `, valid until ${formatTime(c.expiresAt)} UTC` : ""}. Copy it now: it will not be shown again.`,
        label: "New token",
        value: c.secret,
      })}
      listTitle={<h2 className="h-section">Your tokens</h2>}
      tableLabel="API tokens"
      items={tokens}
      empty={
        <>
          No tokens yet. The CLI (<code>lev login</code>) and the HTTP API use them.
        </>
      }
      columns={[
        { header: "Name", cell: (t) => t.name, className: "font-medium" },
        { header: "Token", cell: (t) => `${t.prefix}…`, className: "font-mono text-xs" },
        { header: "Scopes", cell: (t) => `${t.scopes.join(", ")}${t.namespace ? ` · only ${t.namespace}` : ""}`, className: "text-xs" },
        {
          header: "Expires",
          cell: (t) =>
            new Date(t.expiresAt).getTime() <= now ? <span className="badge border-red-200 bg-red-50 text-red-800">expired {formatTime(t.expiresAt)}</span> : formatTime(t.expiresAt),
          className: "text-xs tabular-nums",
        },
        { header: "Last used", cell: (t) => (t.lastUsedAt ? formatTime(t.lastUsedAt) : "never"), className: "text-xs tabular-nums" },
      ]}
      rowActions={(t) => <RenewForm token={t} days={options.days} defaultDays={options.defaultDays} action={renewAction} />}
      revoke={{ action: revokeAction, label: (t) => `Revoke ${t.name}` }}
    />
  );
}

/** "Renew for another N days"; a refusal is shown under it with its code. */
function RenewForm({
  token,
  days,
  defaultDays,
  action,
}: {
  token: TokenSummary;
  days: readonly number[];
  defaultDays: number;
  action: (state: ProblemState, data: FormData) => Promise<ProblemState>;
}) {
  const [state, formAction, pending] = useActionState(action, { problem: null });
  return (
    <form action={formAction} className="inline-flex flex-wrap items-center justify-end gap-1" aria-label={`Renew ${token.name}`}>
      <input type="hidden" name="id" value={token.id} />
      <label htmlFor={`renew-${token.id}`} className="sr-only">Renew {token.name} for</label>
      <select id={`renew-${token.id}`} name="days" defaultValue={String(defaultDays)} className="input w-24 py-0.5 text-xs">
        {days.map((d) => (
          <option key={d} value={d}>{d} days</option>
        ))}
      </select>
      <button type="submit" className="btn py-0.5 text-xs" disabled={pending}>Renew</button>
      {state.problem && <ProblemNote problem={state.problem} />}
    </form>
  );
}
