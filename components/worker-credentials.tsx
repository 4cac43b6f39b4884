"use client";

import { useActionState } from "react";
import type { ProblemState } from "../lib/actions/safe-action.ts";
import { ActionButton } from "./action-problem.tsx";
import type { WorkerCredentialSummary } from "../lib/queue/credentials.ts";
import { formatTime } from "./time.ts";

export type CreateWorkerCredentialState =
  | { status: "idle" }
  | { status: "error"; errors: Record<string, string>; message: string | null }
  | { status: "created"; token: string; name: string };

/** Create worker credentials (the token shown once), list them, revoke them. */
export function WorkerCredentials({
  credentials,
  createAction,
  revokeAction,
}: {
  credentials: WorkerCredentialSummary[];
  createAction: (state: CreateWorkerCredentialState, data: FormData) => Promise<CreateWorkerCredentialState>;
  revokeAction: (state: ProblemState, data: FormData) => Promise<ProblemState>;
}) {
  const [state, formAction, pending] = useActionState(createAction, { status: "idle" });
  const errors = state.status === "error" ? state.errors : {};
  return (
    <div className="space-y-4">
      <form action={formAction} className="card flex flex-wrap items-end gap-3 p-4" aria-label="Create a worker credential">
        <div className="min-w-60 flex-1">
          <label htmlFor="worker-cred-name" className="label">Name</label>
          <input id="worker-cred-name" name="name" className="input mt-1" placeholder="the Docker host it is for" aria-invalid={errors.name ? true : undefined} />
          {errors.name && <p className="field-error">{errors.name}</p>}
        </div>
        <button type="submit" className="btn btn-primary" disabled={pending}>Create credential</button>
        {state.status === "error" && state.message && <p role="alert" className="field-error w-full">{state.message}</p>}
      </form>
      {state.status === "created" && (
        <div role="status" className="rounded-md border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-900">
          <p className="font-semibold">Credential &ldquo;{state.name}&rdquo; created. Copy the token now: it will not be shown again.</p>
          <label htmlFor="new-worker-token" className="sr-only">New worker token</label>
          <input id="new-worker-token" readOnly value={state.token} className="input mt-2 font-mono" onFocus={(e) => e.currentTarget.select()} />
          <p className="mt-2">On the Docker host: <code>LEVHUB_HUB_URL=… LEVHUB_WORKER_TOKEN={state.token.slice(0, 10)}… npm run worker</code></p>
        </div>
      )}
      {credentials.length === 0 ? (
        <p className="text-sm text-zinc-500">No worker credentials yet.</p>
      ) : (
        <div className="card overflow-hidden">
          <table className="table-dense" aria-label="Worker credentials">
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
              {credentials.map((c) => (
                <tr key={c.id}>
                  <td>{c.name}</td>
                  <td className="font-mono text-xs">{c.prefix}…</td>
                  <td className="text-xs tabular-nums">{formatTime(c.createdAt)}</td>
                  <td className="text-xs tabular-nums">{formatTime(c.lastUsedAt)}</td>
                  <td className="text-right">
                    {c.revokedAt ? (
                      <span className="badge">revoked</span>
                    ) : (
                      <ActionButton action={revokeAction} fields={{ id: c.id }} className="btn btn-danger py-0.5 text-xs" ariaLabel={`Revoke worker credential ${c.name}`}>
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
