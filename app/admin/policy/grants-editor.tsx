"use client";

import { useActionState } from "react";
import type { ProblemState } from "../../../lib/actions/safe-action.ts";
import { ActionButton } from "../../../components/action-problem.tsx";
import type { GrantView } from "../../../lib/types.ts";
import type { GrantFormState } from "../../actions/grant-privileges.ts";

/** The grants table (change by granting again, revoke) and the form that adds or replaces one. */
export function GrantsEditor({
  grants,
  caps,
  grantAction,
  revokeAction,
}: {
  grants: GrantView[];
  caps: readonly string[];
  grantAction: (state: GrantFormState, data: FormData) => Promise<GrantFormState>;
  revokeAction: (state: ProblemState, data: FormData) => Promise<ProblemState>;
}) {
  const [state, formAction, pending] = useActionState(grantAction, { status: "idle" });
  const errors = state.status === "error" ? state.errors : {};
  return (
    <div className="space-y-4">
      {grants.length === 0 ? (
        <p className="text-sm text-zinc-500">No grants: every run is confined to an isolated container network without extra capabilities.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Grants</caption>
            <thead className="text-xs uppercase text-zinc-500">
              <tr>
                <th scope="col" className="py-1">Granted to</th>
                <th scope="col">Host network</th>
                <th scope="col">Capabilities</th>
                <th scope="col">Note</th>
                <th scope="col">By</th>
                <th scope="col"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {grants.map((g) => {
                const target = g.package ? `${g.namespace}.${g.package}` : `${g.namespace} (whole namespace)`;
                return (
                  <tr key={g.id} className="border-t border-zinc-200">
                    <td className="py-1.5 font-mono">{target}</td>
                    <td>{g.hostNetwork ? "yes" : "no"}</td>
                    <td className="font-mono text-xs">{g.caps.join(", ") || "—"}</td>
                    <td>{g.note}</td>
                    <td>{g.createdBy ?? "the hub"}</td>
                    <td className="text-right">
                      <ActionButton action={revokeAction} fields={{ id: g.id }} className="btn" ariaLabel={`Revoke the grant of ${target}`}>
                        Revoke
                      </ActionButton>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <form action={formAction} className="card space-y-3 p-4" aria-label="Grant privileges">
        <h3 className="font-semibold">Grant or change</h3>
        <p className="text-sm text-zinc-600">Granting again to the same namespace or package replaces its grant.</p>
        <div className="flex flex-wrap gap-3">
          <div>
            <label htmlFor="grant-ns" className="label">Namespace</label>
            <input id="grant-ns" name="namespace" required className="input mt-1 w-48" aria-invalid={errors.namespace ? true : undefined} />
            {errors.namespace && <p className="field-error">{errors.namespace}</p>}
          </div>
          <div>
            <label htmlFor="grant-pkg" className="label">Package (optional)</label>
            <input id="grant-pkg" name="package" className="input mt-1 w-48" aria-describedby="grant-pkg-hint" aria-invalid={errors.package ? true : undefined} />
            <p id="grant-pkg-hint" className="hint">Empty: every package of the namespace.</p>
            {errors.package && <p className="field-error">{errors.package}</p>}
          </div>
          <div>
            <label htmlFor="grant-note" className="label">Note</label>
            <input id="grant-note" name="note" className="input mt-1 w-64" placeholder="why" />
          </div>
        </div>
        <fieldset className="flex flex-wrap gap-4 text-sm">
          <legend className="label">Privileges</legend>
          <label className="flex items-center gap-2">
            <input type="checkbox" name="hostNetwork" className="size-4" /> Host network (<code>Cr(host=True)</code>)
          </label>
          {caps.map((c) => (
            <label key={c} className="flex items-center gap-2">
              <input type="checkbox" name="caps" value={c} className="size-4" /> <code>{c}</code>
            </label>
          ))}
        </fieldset>
        {state.status === "error" && <p role="alert" className="field-error">{state.message}</p>}
        {state.status === "saved" && <p role="status" className="text-sm text-emerald-700">Saved the grant of {state.target}.</p>}
        <button type="submit" className="btn btn-primary" disabled={pending}>Save grant</button>
      </form>
    </div>
  );
}
