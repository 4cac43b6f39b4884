"use client";

import { createContext, useActionState, useContext, useState, type FormEvent, type ReactNode } from "react";
import type { ManifestFunction, ManifestParam } from "../runner/src/manifest/introspect.ts";
import { coerce, ParamValidationError, validateArgs } from "../runner/src/manifest/params.ts";
import { isTypedRef, REF_KEY } from "../runner/src/refs.ts";
import type { SecretChoice } from "../lib/secrets/types.ts";
import { FileField, type FileFieldOptions } from "./file-field.tsx";
import { FILE_FIELD_PREFIX } from "./run-form-fields.ts";
import { ParamField, secretOptionValue, secretsIn, widgetFor } from "./param-field.tsx";
import { hasTargetParams, scopeErrors, type FormScopes } from "./run-form-scope.ts";
import { scopeLine } from "./projects/scope-summary.tsx";

export type { FileFieldOptions } from "./file-field.tsx";

export interface RunFormState {
  /** per-parameter messages, shown beside each field (and the extra fields' by their names) */
  errors: Record<string, string>;
  /** a message about the whole submission (not about one field) */
  message: string | null;
  /** what the extra fields (children) sent, shown again after a refusal (React resets a form once its action returns) */
  values?: Record<string, string>;
}

/** The answer the extra fields inside a RunForm (its children: a scan's name and schedule) show their errors and values from. */
const RunFormAnswer = createContext<{ errors: Record<string, string>; values: Record<string, string> }>({ errors: {}, values: {} });
export const useRunFormAnswer = () => useContext(RunFormAnswer);


/** The text a field starts with: the default in the widget's own notation (a file's: the reference id it holds; a secret's: its reference). */
export function initialValue(p: ManifestParam): string {
  if (p.required || p.default === null || p.default === undefined) return "";
  const w = widgetFor(p);
  if (w === "secret") return isTypedRef(p.default, "secret") ? secretOptionValue(p.default.id) : "";
  if (w === "file") return isTypedRef(p.default, "file") ? p.default.id : "";
  if (w === "list" && Array.isArray(p.default)) return p.default.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join("\n");
  if (w === "json") return JSON.stringify(p.default, null, 2);
  if (w === "bool") return p.default === true ? "true" : "false";
  return typeof p.default === "string" ? p.default : JSON.stringify(p.default);
}

/** Raw values as the server receives them: what the browser validates is exactly what is sent. */
export function rawValues(fn: ManifestFunction, values: Record<string, string>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const p of fn.params) {
    const v = values[p.name] ?? "";
    const w = widgetFor(p);
    if (w === "bool") raw[p.name] = v === "true";
    else if (w === "file") {
      if (v !== "") raw[p.name] = { [REF_KEY]: "file", id: v };
    } else if (v.trim() !== "") raw[p.name] = v;
  }
  return raw;
}

/**
 * The launch form of one mode or workflow, built from its parameters. The runner's own
 * `validateArgs` checks the values here before anything is sent, and the server action checks
 * them again with the same function; target parameters are checked against the chosen project's
 * scope the same way (run-form-scope.ts).
 */
export function RunForm({
  fn,
  action,
  cancelHref,
  initial,
  files,
  submitLabel = "Start run",
  pendingLabel = "Starting…",
  refusedNote = "nothing was started",
  extraFields = [],
  scopes,
  after,
  children,
  secrets = [],
  project = null,
}: {
  fn: ManifestFunction;
  action: (state: RunFormState, data: FormData) => Promise<RunFormState>;
  cancelHref: string;
  /** argument values to start from instead of the defaults (edit and re-run), shown in each widget's notation */
  initial?: Record<string, unknown>;
  /** where a file parameter's file is uploaded, its size limit, and the files `initial` references (needed only by functions with file parameters) */
  files?: FileFieldOptions;
  submitLabel?: string;
  pendingLabel?: string;
  /** what the banner of a refused submission says happened */
  refusedNote?: string;
  /** the names of the fields `children` show errors for themselves (useRunFormAnswer), left out of the list under the form */
  extraFields?: string[];
  /** the scopes of the projects it may run in (a `project` field among the children chooses); absent: nothing checked here */
  scopes?: FormScopes;
  /** more controls inside the form, above its buttons (a device choice, a scan's schedule) */
  children?: ReactNode;
  /**
   * controls inside the form after its buttons ("Save as scan", with a submit button of its own):
   * the form's first submit button must be its own, so Enter in a field submits it (HTML's implicit submission)
   */
  after?: ReactNode;
  /** the secrets the viewer may bind (a secret parameter's picker offers those of the run's project) */
  secrets?: readonly SecretChoice[];
  /** the run's project: the one the form's "project" field starts at, or the fixed one (a re-run, a scan) */
  project?: string | null;
}) {
  const [currentProject, setCurrentProject] = useState<string | null>(project ?? scopes?.initial ?? null);
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(fn.params.map((p) => [p.name, initial && Object.hasOwn(initial, p.name) ? initialValue({ ...p, required: false, default: initial[p.name] }) : initialValue(p)])));
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  // file parameters whose upload is under way: the form waits for them
  const [uploading, setUploading] = useState<Set<string>>(() => new Set());
  const [state, formAction, pending] = useActionState(action, { errors: {}, message: null });
  const [shownServer, setShownServer] = useState<RunFormState>(state);
  if (shownServer !== state) {
    // a new answer from the server replaces whatever the browser found before
    setShownServer(state);
    setClientErrors(state.errors);
  }
  const errors = clientErrors;
  const scope = scopes?.bySlug[currentProject ?? ""] ?? null;

  const checkOne = (p: ManifestParam, v: string) => {
    let message: string | null = null;
    const w = widgetFor(p);
    if (w !== "bool" && v.trim() === "") {
      if (p.required) message = "is required";
    } else {
      try {
        coerce(p, w === "bool" ? v === "true" : v);
      } catch (e) {
        message = (e as Error).message;
      }
    }
    setClientErrors((errs) => {
      if (message === null) {
        if (!(p.name in errs)) return errs;
        const next = { ...errs };
        delete next[p.name];
        return next;
      }
      return errs[p.name] === message ? errs : { ...errs, [p.name]: message };
    });
  };

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    if (uploading.size) {
      e.preventDefault();
      return;
    }
    try {
      const outside = scopeErrors(fn, validateArgs(fn, rawValues(fn, values)), scope);
      setClientErrors(outside);
      const first = fn.params.find((p) => outside[p.name]);
      if (first) {
        e.preventDefault();
        document.getElementById(`field-${first.name}`)?.focus();
      }
    } catch (err) {
      if (err instanceof ParamValidationError) {
        e.preventDefault();
        setClientErrors(err.errors);
        const first = fn.params.find((p) => err.errors[p.name]);
        if (first) document.getElementById(`field-${first.name}`)?.focus();
        return;
      }
      throw err;
    }
  };

  // a field's error goes away as soon as its value changes: clearing it later (on blur, i.e. when
  // the submit button is pressed) would move the button away from under the pointer
  const set = (name: string, v: string) => {
    setValues((s) => ({ ...s, [name]: v }));
    setClientErrors((errs) => {
      if (!(name in errs)) return errs;
      const next = { ...errs };
      delete next[name];
      return next;
    });
  };
  const errorCount = Object.keys(errors).length;

  return (
    <form
      action={formAction}
      onSubmit={onSubmit}
      // the project choice (a child) decides which secrets the pickers offer and which scope the targets are checked against
      onChange={(e) => {
        const t = e.target;
        if (t instanceof HTMLSelectElement && t.name === "project") setCurrentProject(t.value);
      }}
      noValidate
      aria-label={`Run ${fn.qualified}`}
      className="space-y-4"
    >
      {errorCount > 0 && (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {errorCount === 1 ? "One value needs attention" : `${errorCount} values need attention`}; {refusedNote}.
        </div>
      )}
      {state.message && (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">{state.message}</div>
      )}
      {fn.params.length === 0 && <p className="text-sm text-zinc-500">This {fn.kind} takes no parameters.</p>}
      {scopes && hasTargetParams(fn) && (
        <p data-testid="run-form-scope" className="text-xs text-zinc-600">
          <span className="font-medium">Scope</span> of {currentProject || "the project"}: <span className="font-mono">{scopeLine(scope)}</span>
          {scope && <span className="text-zinc-500"> (targets checked here and by the hub; enforced by the run's network on engines that can)</span>}
        </p>
      )}
      {fn.params.map((p) =>
        widgetFor(p) === "file" ? (
          <FileField
            key={p.name}
            param={p}
            name={`${FILE_FIELD_PREFIX}${p.name}`}
            value={values[p.name] ?? ""}
            error={errors[p.name]}
            options={files}
            onChange={(v) => set(p.name, v)}
            onError={(message) => setClientErrors((errs) => ({ ...errs, [p.name]: message }))}
            onUploading={(busy) =>
              setUploading((s) => {
                const next = new Set(s);
                if (busy) next.add(p.name);
                else next.delete(p.name);
                return next;
              })
            }
          />
        ) : (
          <ParamField key={p.name} param={p} value={values[p.name] ?? ""} error={errors[p.name]} onChange={(v) => set(p.name, v)} onBlur={(v) => checkOne(p, v)} secrets={secretsIn(secrets, currentProject)} />
        ),
      )}
      {Object.entries(errors)
        .filter(([k]) => !fn.params.some((p) => p.name === k) && !extraFields.includes(k))
        .map(([k, v]) => (
          <p key={k} role="alert" className="field-error">{k}: {v}</p>
        ))}
      <RunFormAnswer.Provider value={{ errors, values: state.values ?? {} }}>{children}</RunFormAnswer.Provider>
      <div className="flex flex-wrap items-center gap-2 border-t border-zinc-200 pt-4">
        <button type="submit" className="btn btn-primary" disabled={pending || uploading.size > 0}>
          {pending ? pendingLabel : uploading.size > 0 ? "Uploading…" : submitLabel}
        </button>
        <a href={cancelHref} className="btn">Cancel</a>
      </div>
      {after}
    </form>
  );
}
