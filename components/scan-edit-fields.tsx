"use client";

import { useRunFormAnswer } from "./run-form.tsx";

/** The errors a scan's edit form shows beside its own fields (`scan.<field>`: a parameter may be called `name` too); the function is picked above the form. */
export const SCAN_EDIT_FIELDS = ["scan.name", "scan.version", "scan.function", "scan.cron", "scan.timezone"];

function FieldError({ id, message }: { id: string; message?: string }) {
  return message ? <p id={id} className="field-error">{message}</p> : null;
}

/**
 * A scan's name, version, schedule and time zone inside its edit form (a RunForm whose fields are the
 * arguments): errors and the values sent come from the form's last answer.
 */
export function ScanEditFields({ scan, versions }: { scan: { name: string; version: string | null; cron: string | null; timezone: string }; versions: string[] }) {
  const { errors, values } = useRunFormAnswer();
  const v = (key: string, fallback: string) => values[key] ?? fallback;
  return (
    <fieldset className="space-y-3 rounded-md border border-zinc-200 p-3">
      <legend className="px-1 text-sm font-medium">Scan</legend>
      <div className="grid gap-3 sm:grid-cols-2">
        <div>
          <label htmlFor="edit-name" className="label">Scan name</label>
          <input id="edit-name" name="scanName" defaultValue={v("scanName", scan.name)} required maxLength={100} className="input mt-1" aria-invalid={errors["scan.name"] ? true : undefined} aria-describedby="edit-name-error" />
          <FieldError id="edit-name-error" message={errors["scan.name"]} />
        </div>
        <div>
          <label htmlFor="edit-version" className="label">Version</label>
          <select id="edit-version" name="version" defaultValue={v("version", scan.version ?? "")} className="input mt-1" aria-invalid={errors["scan.version"] ? true : undefined} aria-describedby="edit-version-error">
            <option value="">always the latest</option>
            {versions.map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
          <FieldError id="edit-version-error" message={errors["scan.version"] ?? errors["scan.function"]} />
        </div>
        <div>
          <label htmlFor="edit-cron" className="label">Schedule (cron)</label>
          <input
            id="edit-cron"
            name="cron"
            defaultValue={v("cron", scan.cron ?? "")}
            placeholder="0 3 * * *"
            className="input mt-1 font-mono"
            aria-invalid={errors["scan.cron"] ? true : undefined}
            aria-describedby="edit-cron-help edit-cron-error"
          />
          <p id="edit-cron-help" className="hint">minute hour day month weekday; empty: run it by hand</p>
          <FieldError id="edit-cron-error" message={errors["scan.cron"]} />
        </div>
        <div>
          <label htmlFor="edit-tz" className="label">Time zone</label>
          <input id="edit-tz" name="timezone" defaultValue={v("timezone", scan.timezone)} className="input mt-1" aria-invalid={errors["scan.timezone"] ? true : undefined} aria-describedby="edit-tz-error" />
          <FieldError id="edit-tz-error" message={errors["scan.timezone"]} />
        </div>
      </div>
    </fieldset>
  );
}
