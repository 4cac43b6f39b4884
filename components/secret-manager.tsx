"use client";

import { useActionState, useState, type ReactNode } from "react";
import type { ProblemState } from "../lib/actions/safe-action.ts";
import { ActionButton } from "./action-problem.tsx";

/**
 * The one way the hub hands out a secret (API tokens, invite links, worker credentials, devices):
 * a form creates it, the secret is shown this once with a copy button, then the list shows each
 * item by name with a revoke button. Only a hash is kept on the server, so nothing shows it again.
 */

/** What a create action answers a form: field errors, or the secret made now (lib's `NewSecret`). */
export type CreateSecretState =
  | { status: "idle" }
  | { status: "error"; errors: Record<string, string>; message: string | null }
  | { status: "created"; name: string; secret: string; expiresAt?: string | null };

export type CreateSecretAction = (state: CreateSecretState, data: FormData) => Promise<CreateSecretState>;

/** Copies `value`; without the Clipboard API (plain HTTP on a LAN address), the selected input's text. */
async function copy(value: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(value);
      return true;
    }
  } catch {
    // fall through to the selection
  }
  if (!input) return false;
  input.select();
  return document.execCommand("copy");
}

/** A secret shown once: read-only, selected on focus, with a copy button that says when it copied. */
export function SecretOnce({ title, label, value, children }: { title: ReactNode; label: string; value: string; children?: ReactNode }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  const [input, setInput] = useState<HTMLInputElement | null>(null);
  const id = `secret-${label.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <div role="status" className="space-y-2 rounded-md border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-900">
      <p className="font-semibold">{title}</p>
      <div className="flex gap-2">
        <label htmlFor={id} className="sr-only">{label}</label>
        <input id={id} ref={setInput} readOnly value={value} className="input font-mono text-xs" onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="btn shrink-0" onClick={async () => setCopied(await copy(value, input))}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      {copied === false && <p className="text-xs">Copying is not possible here: select the text and copy it yourself.</p>}
      {children}
    </div>
  );
}

export interface SecretColumn<T> {
  header: string;
  cell: (item: T) => ReactNode;
  className?: string;
}

/** Create (the secret shown once), list and revoke. */
export function SecretManager<T extends { id: string }>({
  formLabel,
  createAction,
  submitLabel,
  fields,
  shown,
  listTitle,
  tableLabel,
  items,
  empty,
  columns,
  revoke,
  rowActions,
  formClassName = "card flex flex-wrap items-end gap-3 p-4",
}: {
  /** the create form's accessible name ("Create a token") */
  formLabel: string;
  createAction: CreateSecretAction;
  submitLabel: string;
  /** the form's own fields, given the field errors of the last attempt */
  fields: (errors: Record<string, string>) => ReactNode;
  /** how the new secret is shown: the value may be the secret itself or a link or command holding it */
  shown: (created: Extract<CreateSecretState, { status: "created" }>) => { title: ReactNode; label: string; value: string; note?: ReactNode };
  listTitle?: ReactNode;
  tableLabel: string;
  items: T[];
  empty: ReactNode;
  columns: SecretColumn<T>[];
  revoke: {
    /** answers a refusal with its code (shown under the button), never by throwing */
    action: (state: ProblemState, data: FormData) => Promise<ProblemState>;
    /** the form field carrying the item's id (default "id") */
    field?: string;
    /** the revoke button's accessible name ("Revoke ci") */
    label: (item: T) => string;
    /** whether the item can still be revoked (else `revoked` is shown, when given) */
    can?: (item: T) => boolean;
    revoked?: (item: T) => ReactNode;
  };
  /** more controls beside revoke (rename, renew) */
  rowActions?: (item: T) => ReactNode;
  formClassName?: string;
}) {
  const [state, formAction, pending] = useActionState(createAction, { status: "idle" });
  const errors = state.status === "error" ? state.errors : {};
  const created = state.status === "created" ? shown(state) : null;
  return (
    <div className="space-y-4">
      <form action={formAction} className={formClassName} aria-label={formLabel}>
        {fields(errors)}
        <button type="submit" className="btn btn-primary" disabled={pending}>{submitLabel}</button>
        {state.status === "error" && state.message && <p role="alert" className="field-error w-full">{state.message}</p>}
      </form>
      {created && (
        <SecretOnce title={created.title} label={created.label} value={created.value}>
          {created.note}
        </SecretOnce>
      )}
      <section className="space-y-2">
        {listTitle}
        {items.length === 0 ? (
          <p className="text-sm text-zinc-500">{empty}</p>
        ) : (
          <div className="card overflow-x-auto">
            <table className="table-dense" aria-label={tableLabel}>
              <thead>
                <tr>
                  {columns.map((c) => (
                    <th key={c.header} scope="col">{c.header}</th>
                  ))}
                  <th scope="col"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => (
                  <tr key={item.id}>
                    {columns.map((c) => (
                      <td key={c.header} className={c.className}>{c.cell(item)}</td>
                    ))}
                    <td className="space-y-1 text-right">
                      {rowActions?.(item)}
                      {revoke.can && !revoke.can(item) ? (
                        revoke.revoked?.(item)
                      ) : (
                        <ActionButton action={revoke.action} fields={{ [revoke.field ?? "id"]: item.id }} className="btn btn-danger py-0.5 text-xs" ariaLabel={revoke.label(item)}>
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
      </section>
    </div>
  );
}

/** A labelled text input with its error, as the create forms use it. */
export function SecretField({
  id,
  name,
  label,
  error,
  className = "min-w-60 flex-1",
  ...input
}: { id: string; name: string; label: string; error?: string; className?: string } & React.InputHTMLAttributes<HTMLInputElement>) {
  return (
    <div className={className}>
      <label htmlFor={id} className="label">{label}</label>
      <input id={id} name={name} className="input mt-1" aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} {...input} />
      {error && <p id={`${id}-error`} className="field-error">{error}</p>}
    </div>
  );
}
