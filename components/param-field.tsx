/** One parameter's field of the run form: its widget by type, its hint, a target's badge, its error. */
"use client";

import type { ManifestParam } from "../runner/src/manifest/introspect.ts";
import { paramTargetKind } from "../runner/src/scope/rules.ts";
import { formatDefault } from "./params-table.tsx";
import { RUN_FIELD_PREFIX } from "./run-form-fields.ts";
import type { SecretChoice } from "../lib/secrets/types.ts";

export type Widget = "text" | "int" | "float" | "bool" | "list" | "json" | "file" | "secret";

function baseType(type: string): string {
  return type.replace(/^Optional\[(.+)\]$/, "$1");
}

export function widgetFor(p: ManifestParam): Widget {
  const t = baseType(p.type);
  if (t === "secret") return "secret";
  if (t === "file") return "file";
  if (t === "int") return "int";
  if (t === "float") return "float";
  if (t === "bool") return "bool";
  if (/^(list|List|tuple)(\[.+\])?$/.test(t)) return "list";
  if (/^(dict|Dict)(\[.+\])?$/.test(t)) return "json";
  return "text";
}

/** What the secret picker sends for a secret: its reference as JSON text (never a value). */
export function secretOptionValue(id: string): string {
  return JSON.stringify({ $lev: "secret", id });
}

/** The secrets the picker offers in a project: that project's (the viewer's role allowing), and the viewer's own. */
export function secretsIn(choices: readonly SecretChoice[], project: string | null): SecretChoice[] {
  return choices.filter((c) => c.project === null || c.project === project);
}

export function ParamField({
  param: p,
  value,
  error,
  onChange,
  onBlur,
  secrets = [],
}: {
  param: ManifestParam;
  value: string;
  error: string | undefined;
  onChange: (v: string) => void;
  onBlur: (v: string) => void;
  secrets?: readonly SecretChoice[];
}) {
  const id = `field-${p.name}`;
  const w = widgetFor(p);
  const describedBy = [error ? `${id}-error` : null, `${id}-hint`].filter(Boolean).join(" ");
  const common = {
    id,
    name: `${RUN_FIELD_PREFIX}${p.name}`,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy,
    "aria-required": p.required || undefined,
  } as const;
  const hint = (
    <p id={`${id}-hint`} className="hint">
      <span className="font-mono">{p.type || "any"}</span>
      {w === "list" && " · one item per line"}
      {w === "json" && " · a JSON object"}
      {!p.required && p.default !== undefined && p.default !== null && <> · default <code>{formatDefault(p.default)}</code></>}
    </p>
  );
  const label = (
    <label htmlFor={id} className="label">
      <span className="font-mono">{p.name}</span>
      {p.required && <span className="ml-1 text-red-700" aria-hidden>*</span>}
      {paramTargetKind(p) && (
        <span className="badge ml-2 align-middle text-[0.65rem]" title={`a ${paramTargetKind(p)} checked against the project's scope`}>
          {paramTargetKind(p) === "target" ? "target" : `target: ${paramTargetKind(p)}`}
        </span>
      )}
      {p.desc && <span className="ml-2 font-normal text-zinc-500">{p.desc}</span>}
    </label>
  );
  if (w === "bool") {
    const on = value === "true";
    return (
      <div>
        <div className="flex items-center gap-3">
          <button
            type="button"
            role="switch"
            id={id}
            aria-checked={on}
            aria-describedby={describedBy}
            onClick={() => onChange(on ? "false" : "true")}
            className={`relative inline-flex h-5 w-9 shrink-0 items-center rounded-full transition-colors ${on ? "bg-accent-600" : "bg-zinc-300"}`}
          >
            <span aria-hidden className={`inline-block size-4 rounded-full bg-white shadow transition-transform ${on ? "translate-x-4.5" : "translate-x-0.5"}`} />
          </button>
          {label}
          <input type="hidden" name={`${RUN_FIELD_PREFIX}${p.name}`} value={on ? "true" : "false"} />
        </div>
        {hint}
        {error && <p id={`${id}-error`} className="field-error">{p.name} {error}</p>}
      </div>
    );
  }
  if (w === "secret") {
    // a secret is picked by name, never typed: the value stays on the hub
    return (
      <div>
        {label}
        <div className="mt-1">
          <select {...common} value={value} onChange={(e) => onChange(e.target.value)} onBlur={(e) => onBlur(e.target.value)} className="input max-w-sm">
            <option value="">{secrets.length ? "— choose a secret —" : "— no secret you may use here —"}</option>
            {secrets.map((s) => (
              <option key={s.id} value={secretOptionValue(s.id)}>
                {s.name}
                {s.project === null ? " (yours)" : ""}
                {s.description ? ` — ${s.description}` : ""}
              </option>
            ))}
          </select>
        </div>
        <p id={`${id}-hint`} className="hint">
          A secret of the run&apos;s project or your own: the tool receives its value, the run keeps only its name. Owners add secrets in the project&apos;s settings.
        </p>
        {error && <p id={`${id}-error`} className="field-error">{p.name} {error}</p>}
      </div>
    );
  }
  return (
    <div>
      {label}
      <div className="mt-1">
        {w === "list" || w === "json" ? (
          <textarea
            {...common}
            rows={w === "json" ? 5 : 3}
            spellCheck={false}
            placeholder={p.holder ?? (w === "json" ? "{}" : undefined)}
            value={value}
            onChange={(e) => onChange(e.target.value)}
            onBlur={(e) => onBlur(e.target.value)}
            className="input font-mono"
          />
        ) : (
          <input
            {...common}
            type={w === "text" ? "text" : "number"}
            step={w === "int" ? 1 : w === "float" ? "any" : undefined}
            placeholder={p.holder ?? undefined}
            value={value}
            onChange={(e) => onChange(e.target.value)}
            onBlur={(e) => onBlur(e.target.value)}
            autoComplete="off"
            className={`input ${w === "int" || w === "float" ? "max-w-xs font-mono" : ""}`}
          />
        )}
      </div>
      {hint}
      {error && <p id={`${id}-error`} className="field-error">{p.name} {error}</p>}
    </div>
  );
}
