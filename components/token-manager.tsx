"use client";

import { useActionState } from "react";
import type { ProblemState } from "../lib/actions/safe-action.ts";
import { ActionButton } from "./action-problem.tsx";
import { formatTime } from "./time.ts";

export interface TokenView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export type CreateTokenState = { status: "idle" } | { status: "error"; errors: Record<string, string>; message: string | null } | { status: "created"; name: string; token: string };

/** Create (the secret is shown once), list and revoke API tokens. */
export function TokenManager({
  tokens,
  createAction,
  revokeAction,
}: {
  tokens: TokenView[];
  createAction: (state: CreateTokenState, data: FormData) => Promise<CreateTokenState>;
  revokeAction: (state: ProblemState, data: FormData) => Promise<ProblemState>;
}) {
  const [state, formAction, pending] = useActionState(createAction, { status: "idle" });
  const nameError = state.status === "error" ? state.errors.name : undefined;
  return (
    <div className="space-y-6">
      <form action={formAction} className="card space-y-3 p-4" aria-label="Create a token">
        <div>
          <label htmlFor="token-name" className="label">Token name</label>
          <input id="token-name" name="name" className="input mt-1 max-w-sm" placeholder="ci, laptop…" aria-invalid={nameError ? true : undefined} aria-describedby={nameError ? "token-name-error" : undefined} />
          {nameError && <p id="token-name-error" className="field-error">{nameError}</p>}
        </div>
        {state.status === "error" && state.message && <p role="alert" className="field-error">{state.message}</p>}
        <button type="submit" className="btn btn-primary" disabled={pending}>Create token</button>
      </form>
      {state.status === "created" && (
        <div role="status" className="rounded-md border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-900">
          <p className="font-semibold">Token “{state.name}” created. Copy it now: it will not be shown again.</p>
          <label htmlFor="new-token" className="sr-only">New token</label>
          <input id="new-token" readOnly value={state.token} className="input mt-2 font-mono" onFocus={(e) => e.currentTarget.select()} />
        </div>
      )}
      <section aria-labelledby="tokens-h">
        <h2 id="tokens-h" className="h-section mb-2">Your tokens</h2>
        {tokens.length === 0 ? (
          <p className="text-sm text-zinc-500">No tokens yet. The CLI (<code>lev login</code>) and the HTTP API use them.</p>
        ) : (
          <div className="card overflow-hidden">
            <table className="table-dense">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Token</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((t) => (
                  <tr key={t.id}>
                    <td className="font-medium">{t.name}</td>
                    <td className="font-mono text-xs">{t.prefix}…</td>
                    <td className="text-xs tabular-nums">{formatTime(t.createdAt)}</td>
                    <td className="text-xs tabular-nums">{t.lastUsedAt ? formatTime(t.lastUsedAt) : "never"}</td>
                    <td className="text-right">
                      <ActionButton action={revokeAction} fields={{ id: t.id }} className="btn btn-danger py-0.5 text-xs" ariaLabel={`Revoke ${t.name}`}>
                        Revoke
                      </ActionButton>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
