"use client";

import { useActionState, useState } from "react";
import type { ActionProblem } from "../lib/actions/safe-action.ts";
import type { Deleted } from "../lib/packages/deletion.ts";
import { plural } from "../runner/src/plural.ts";
import { ProblemNote } from "./action-problem.tsx";

export type DeletionState = { status: "idle" } | { status: "error"; problem: ActionProblem } | { status: "deleted"; deleted: Deleted };

/**
 * For the package's publisher: delete one version or the whole package, confirmed by typing what is
 * deleted. It says beforehand what happens to the runs and their results; the server refuses while
 * another package depends on it or one of its runs is queued or running.
 */
export function PackageDeletion({
  namespace,
  name,
  versions,
  action,
}: {
  namespace: string;
  name: string;
  /** newest first */
  versions: string[];
  action: (state: DeletionState, data: FormData) => Promise<DeletionState>;
}) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const [version, setVersion] = useState("");
  const expected = `${namespace}.${name}${version ? `@${version}` : ""}`;
  if (state.status === "deleted") {
    const d = state.deleted;
    return (
      <section aria-label="Delete" className="card border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-900">
        <p role="status">
          Deleted {d.package} {plural(d.versions.length, "version")} ({d.versions.join(", ")}).{" "}
          {d.latest ? `Its latest version is now ${d.latest}.` : "No version is left: the package is no longer listed."} Its runs and the documents they stored
          stay.{d.scansDisabled ? ` ${plural(d.scansDisabled, "saved scan")} that ran it ${d.scansDisabled === 1 ? "was" : "were"} disabled.` : ""}
        </p>
        {!d.latest && (
          <p className="mt-2">
            <a href="/browse">Browse packages</a>
          </p>
        )}
      </section>
    );
  }
  const fieldError = state.status === "error" ? state.problem.fieldErrors?.confirm : undefined;
  return (
    <section aria-labelledby="delete-h" className="card border-red-200 p-4">
      <h2 id="delete-h" className="text-sm font-semibold text-red-800">Delete</h2>
      <p className="mt-1 text-sm text-zinc-600">
        Deleting removes the version&apos;s files, image and catalog entry, and its number is never published again. Runs of it and the documents they stored stay, for whoever ran
        them, but cannot be re-run on it; saved scans that run it are disabled. Refused while another package depends on it or one of its runs is queued or running.
      </p>
      <form action={formAction} className="mt-3 grid gap-3 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_auto] sm:items-end" aria-label="Delete this package or a version">
        <input type="hidden" name="namespace" value={namespace} />
        <input type="hidden" name="name" value={name} />
        <div>
          <label htmlFor="delete-version" className="label">What to delete</label>
          <select id="delete-version" name="version" value={version} onChange={(e) => setVersion(e.target.value)} className="input mt-1">
            <option value="">the whole package (every version)</option>
            {versions.map((v) => (
              <option key={v} value={v}>
                version {v}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="delete-confirm" className="label">
            Type <code className="break-all">{expected}</code> to confirm
          </label>
          <input id="delete-confirm" name="confirm" autoComplete="off" spellCheck={false} className="input mt-1 font-mono" aria-invalid={fieldError ? true : undefined} aria-describedby="delete-confirm-error" />
        </div>
        <button type="submit" className="btn btn-danger" disabled={pending}>
          {pending ? "Deleting…" : version ? `Delete version ${version}` : "Delete the package"}
        </button>
      </form>
      {fieldError && (
        <p id="delete-confirm-error" className="field-error">
          {fieldError}
        </p>
      )}
      {state.status === "error" && !fieldError && <ProblemNote problem={state.problem} />}
    </section>
  );
}
