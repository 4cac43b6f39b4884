"use client";

import { useActionState } from "react";

/** What the re-run and save-as-scan actions answer when they do not move to another page. */
export interface ScanActionState {
  error: string | null;
  /** messages by field (`name`, `cron`, `timezone`) */
  errors: Record<string, string>;
  /** the scan just saved */
  saved: { id: string; name: string } | null;
  /** what was sent, shown again after a refusal (React resets a form once its action returns) */
  values?: Record<string, string>;
}

export const IDLE: ScanActionState = { error: null, errors: {}, saved: null };

type Action = (state: ScanActionState, data: FormData) => Promise<ScanActionState>;

function FieldError({ id, message }: { id: string; message?: string }) {
  return message ? <p id={id} className="field-error">{message}</p> : null;
}

/** The fields of a schedule: name, cron (empty = run by hand only), time zone. Shared by the run page and the run form. */
export function ScheduleFields({ errors, idPrefix, values = {} }: { errors: Record<string, string>; idPrefix: string; values?: Record<string, string> }) {
  return (
    <div className="grid gap-3 sm:grid-cols-3">
      <div>
        <label htmlFor={`${idPrefix}-name`} className="label">Scan name</label>
        <input id={`${idPrefix}-name`} name="scanName" defaultValue={values.scanName ?? ""} className="input mt-1" required maxLength={100} aria-invalid={errors.name ? true : undefined} aria-describedby={`${idPrefix}-name-error`} />
        <FieldError id={`${idPrefix}-name-error`} message={errors.name} />
      </div>
      <div>
        <label htmlFor={`${idPrefix}-cron`} className="label">Schedule (cron)</label>
        <input id={`${idPrefix}-cron`} name="cron" defaultValue={values.cron ?? ""} className="input mt-1 font-mono" placeholder="0 3 * * *" aria-invalid={errors.cron ? true : undefined} aria-describedby={`${idPrefix}-cron-help ${idPrefix}-cron-error`} />
        <p id={`${idPrefix}-cron-help`} className="mt-0.5 text-xs text-zinc-500">minute hour day month weekday; empty: run it by hand</p>
        <FieldError id={`${idPrefix}-cron-error`} message={errors.cron} />
      </div>
      <div>
        <label htmlFor={`${idPrefix}-tz`} className="label">Time zone</label>
        <input id={`${idPrefix}-tz`} name="timezone" className="input mt-1" defaultValue={values.timezone ?? "UTC"} aria-invalid={errors.timezone ? true : undefined} aria-describedby={`${idPrefix}-tz-error`} />
        <FieldError id={`${idPrefix}-tz-error`} message={errors.timezone} />
      </div>
    </div>
  );
}

export function SavedNotice({ state }: { state: ScanActionState }) {
  if (!state.saved) return null;
  return (
    <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
      Saved as scan <a href={`/scans/${state.saved.id}`}>{state.saved.name}</a>.
    </p>
  );
}

/**
 * The run page's controls: re-run (the same version, or the package's latest when it differs),
 * edit and re-run (the run form prefilled), and save the configuration as a scan.
 */
export function RunRerunControls({
  rerunAction,
  rerunLatestAction,
  editHref,
  saveAction,
}: {
  rerunAction: Action;
  rerunLatestAction: Action | null;
  editHref: string;
  saveAction: Action;
}) {
  const [rerunState, rerunFormAction, rerunPending] = useActionState(rerunAction, IDLE);
  const [latestState, latestFormAction, latestPending] = useActionState(rerunLatestAction ?? rerunAction, IDLE);
  const [saveState, saveFormAction, savePending] = useActionState(saveAction, IDLE);
  const error = rerunState.error ?? latestState.error;
  return (
    <section aria-label="Re-run and save" className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <form action={rerunFormAction}>
          <button type="submit" className="btn" disabled={rerunPending}>{rerunPending ? "Starting…" : "Re-run"}</button>
        </form>
        {rerunLatestAction && (
          <form action={latestFormAction}>
            <button type="submit" className="btn" disabled={latestPending}>{latestPending ? "Starting…" : "Re-run on the latest version"}</button>
          </form>
        )}
        <a href={editHref} className="btn">Edit and re-run</a>
      </div>
      {error && <p role="alert" className="field-error">{error}</p>}
      <details className="card p-3" open={Boolean(saveState.error || Object.keys(saveState.errors).length)}>
        <summary className="cursor-pointer text-sm font-medium">Save as scan</summary>
        <form action={saveFormAction} className="mt-3 space-y-3" aria-label="Save as scan">
          <ScheduleFields errors={saveState.errors} idPrefix="save-scan" values={saveState.values} />
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="pinVersion" value="true" defaultChecked={saveState.values?.pinVersion === "true"} /> Keep this version (otherwise: always the package&apos;s latest)
          </label>
          {saveState.error && <p role="alert" className="field-error">{saveState.error}</p>}
          <button type="submit" className="btn btn-primary" disabled={savePending}>Save scan</button>
        </form>
      </details>
      <SavedNotice state={saveState} />
    </section>
  );
}
