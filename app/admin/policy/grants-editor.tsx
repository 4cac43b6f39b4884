"use client";

import { useActionState, useState } from "react";
import { describeGrant, NETWORK_CHOICES } from "../../../components/grant-words.ts";
import type { ProblemState } from "../../../lib/actions/safe-action.ts";
import { ActionButton } from "../../../components/action-problem.tsx";
import type { GrantView } from "../../../lib/types.ts";
import type { GrantNetwork } from "../../../runner/src/policy/policy.ts";
import type { GrantFormState } from "../../actions/grant-privileges.ts";

/** The grants table (change by granting again, revoke) and the form that adds or replaces one. */
export function GrantsEditor({
  grants,
  caps,
  networks,
  grantAction,
  revokeAction,
}: {
  grants: GrantView[];
  caps: readonly string[];
  networks: readonly GrantNetwork[];
  grantAction: (state: GrantFormState, data: FormData) => Promise<GrantFormState>;
  revokeAction: (state: ProblemState, data: FormData) => Promise<ProblemState>;
}) {
  const [state, formAction, pending] = useActionState(grantAction, { status: "idle" });
  const [network, setNetwork] = useState<GrantNetwork>("none");
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
                <th scope="col">Covers</th>
                <th scope="col">What its tasks get</th>
                <th scope="col">Note</th>
                <th scope="col">By</th>
                <th scope="col"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {grants.map((g) => {
                const target = g.package ? `${g.namespace}.${g.package}` : `${g.namespace} (whole namespace)`;
                return (
                  <tr key={g.id} className="border-t border-zinc-200 align-top">
                    <td className="py-1.5 font-mono">{target}</td>
                    <td className="text-xs">{g.modes.length ? <span className="font-mono">{g.modes.join(", ")}</span> : "every function but raw command-line modes"}</td>
                    <td>{describeGrant(g)}</td>
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
        <p className="text-sm text-zinc-600">
          Granting again to the same namespace or package replaces its grant. A grant is trusting that package&apos;s code with it, for every user who runs it: grant what its modes need, to the
          modes that need it.
        </p>
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
        <div>
          <label htmlFor="grant-modes" className="label">Functions it covers (optional)</label>
          <input id="grant-modes" name="modes" className="input mt-1 w-full font-mono text-xs" placeholder="nmap.alive, nmap.port_os, server_port" aria-describedby="grant-modes-hint" aria-invalid={errors.modes ? true : undefined} />
          <p id="grant-modes-hint" className="hint">
            Qualified names, separated by commas or spaces. Empty: every function of the package except raw command-line modes (a parameter <code>argv</code>, or a function named{" "}
            <code>raw</code>), which let the caller choose the whole command line and are covered only when named here. A package that imports this one gets its grant only for Crs these
            modes build, with the images their code names.
          </p>
          {errors.modes && <p className="field-error">{errors.modes}</p>}
        </div>
        <fieldset className="space-y-2 text-sm">
          <legend className="label">
            What <code>Cr(host=True)</code> gets
          </legend>
          {networks.map((n) => (
            <label key={n} className="flex items-start gap-2">
              <input type="radio" name="network" value={n} checked={network === n} onChange={() => setNetwork(n)} className="mt-1 size-4" />
              <span>
                <span className="font-medium">{NETWORK_CHOICES[n].label}</span>
                <span className="block text-zinc-600">{NETWORK_CHOICES[n].exposes}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {network === "macvlan" && (
          <fieldset className="flex flex-wrap gap-3" aria-label="LAN segment">
            {(
              [
                ["parent", "Parent interface", "eth1"],
                ["subnet", "Subnet", "192.168.1.0/24"],
                ["ipRange", "Addresses for tools (optional)", "192.168.1.240/28"],
                ["gateway", "Gateway (optional)", "192.168.1.1"],
              ] as const
            ).map(([field, label, placeholder]) => (
              <div key={field}>
                <label htmlFor={`grant-mv-${field}`} className="label">{label}</label>
                <input
                  id={`grant-mv-${field}`}
                  name={`macvlan.${field}`}
                  placeholder={placeholder}
                  className="input mt-1 w-44 font-mono text-xs"
                  aria-invalid={errors[`macvlan.${field}`] ? true : undefined}
                />
                {errors[`macvlan.${field}`] && <p className="field-error">{errors[`macvlan.${field}`]}</p>}
              </div>
            ))}
            <p className="hint w-full">
              The interface must exist on each worker&apos;s engine that takes these runs; tools take addresses from the range (keep it free of other hosts).
            </p>
          </fieldset>
        )}
        <fieldset className="flex flex-wrap gap-4 text-sm">
          <legend className="label">Capabilities (the tool then runs as root, everything else dropped)</legend>
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
