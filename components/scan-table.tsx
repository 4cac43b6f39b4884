"use client";

import Link from "next/link";
import { useActionState } from "react";
import type { ScanSummary } from "../lib/scans/types.ts";
import { IDLE, type ScanActionState } from "./scan-run-controls.tsx";
import { argsText } from "./args-text.ts";
import { StatusBadge } from "./status-badge.tsx";
import { formatTime, formatTimeIn } from "./time.ts";

type Action = (state: ScanActionState, data: FormData) => Promise<ScanActionState>;

export interface ScanRowActions {
  runNow: Action;
  setEnabled: Action;
  remove: Action;
}

/**
 * Run now and edit (its creator), pause/resume and delete (the project's operators and owners):
 * only the buttons the viewer may use; each form names the scan in a hidden field.
 */
export function ScanButtons({ scan, actions }: { scan: Pick<ScanSummary, "id" | "name" | "enabled" | "canEdit" | "canManage">; actions: ScanRowActions }) {
  const [runState, runAction, runPending] = useActionState(actions.runNow, IDLE);
  const [enState, enAction, enPending] = useActionState(actions.setEnabled, IDLE);
  const [delState, delAction, delPending] = useActionState(actions.remove, IDLE);
  const error = runState.error ?? enState.error ?? delState.error;
  return (
    <div className="flex flex-wrap items-center gap-1.5">
      {scan.canEdit && (
        <form action={runAction}>
          <input type="hidden" name="scanId" value={scan.id} />
          <button type="submit" className="btn py-0.5 text-xs" disabled={runPending} aria-label={`Run ${scan.name} now`}>Run now</button>
        </form>
      )}
      {scan.canEdit && (
        <Link href={`/scans/${scan.id}/edit`} className="btn py-0.5 text-xs" aria-label={`Edit ${scan.name}`}>
          Edit
        </Link>
      )}
      {scan.canManage && (
        <form action={enAction}>
          <input type="hidden" name="scanId" value={scan.id} />
          <input type="hidden" name="enabled" value={scan.enabled ? "false" : "true"} />
          <button type="submit" className="btn py-0.5 text-xs" disabled={enPending} aria-label={`${scan.enabled ? "Disable" : "Enable"} ${scan.name}`}>
            {scan.enabled ? "Disable" : "Enable"}
          </button>
        </form>
      )}
      {scan.canManage && (
        <form
          action={delAction}
          onSubmit={(e) => {
            if (!confirm(`Delete the scan “${scan.name}”? Its runs stay.`)) e.preventDefault();
          }}
        >
          <input type="hidden" name="scanId" value={scan.id} />
          <button type="submit" className="btn py-0.5 text-xs text-red-700" disabled={delPending} aria-label={`Delete ${scan.name}`}>Delete</button>
        </form>
      )}
      {error && <p role="alert" className="field-error w-full">{error}</p>}
    </div>
  );
}

/**
 * Saved scans as a table: what each runs (package, function, arguments cut short, whole on hover),
 * the project, the schedule in words and as cron, the next run in the scan's own time zone (UTC on
 * hover), the last run and status, actions. On a phone the rows become cards.
 */
export function ScanTable({ scans, actions, showOwner, showProject }: { scans: ScanSummary[]; actions: ScanRowActions; showOwner: boolean; showProject: boolean }) {
  return (
    <div className="card overflow-x-auto">
      <table className="table-dense table-stack">
        <caption className="sr-only">Saved scans</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Package</th>
            <th scope="col">Function</th>
            <th scope="col">Arguments</th>
            {showProject && <th scope="col">Project</th>}
            {showOwner && <th scope="col">Owner</th>}
            <th scope="col">Schedule</th>
            <th scope="col">Next run</th>
            <th scope="col">Last run</th>
            <th scope="col"><span className="sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {scans.map((s) => (
            <tr key={s.id} data-scan={s.name}>
              <td data-label="Name">
                <Link href={`/scans/${s.id}`} className="font-medium">{s.name}</Link>
                {!s.enabled && <span className="ml-1.5 rounded border border-zinc-300 px-1 text-[11px] text-zinc-500">disabled</span>}
              </td>
              <td data-label="Package">
                {s.package}
                <span className="ml-1 font-mono text-xs text-zinc-400">{s.version ?? "latest"}</span>
              </td>
              <td data-label="Function" className="font-mono text-[13px]">{s.function}</td>
              <td data-label="Arguments" data-wide className="max-w-64 font-mono text-xs text-zinc-700 max-md:max-w-none" title={argsText(s.args)}>
                {Object.keys(s.args).length ? argsText(s.args, 60) : <span className="text-zinc-400">none</span>}
              </td>
              {showProject && (
                <td data-label="Project">
                  <Link href={`/projects/${s.project.slug}`}>{s.project.name}</Link>
                </td>
              )}
              {showOwner && <td data-label="Owner">{s.owner}</td>}
              <td data-label="Schedule">
                {s.cron ? (
                  <>
                    {s.schedule} <code className="ml-1 text-xs text-zinc-500">{s.cron}</code>
                    {s.timezone !== "UTC" && <span className="ml-1 text-xs text-zinc-500">{s.timezone}</span>}
                  </>
                ) : (
                  <span className="text-zinc-500">by hand</span>
                )}
              </td>
              <td data-label="Next run" className="tabular-nums md:whitespace-nowrap" title={s.nextRunAt ? `${formatTime(s.nextRunAt)} UTC` : undefined}>
                {s.nextRunAt ? formatTimeIn(s.nextRunAt, s.timezone) : "—"}
              </td>
              <td data-label="Last run" data-wide>
                {s.lastRun ? (
                  <Link href={`/runs/${s.lastRun.id}`} className="inline-flex items-center gap-1.5">
                    <StatusBadge status={s.lastRun.status} />{" "}
                    <span className="tabular-nums" title={`${formatTime(s.lastRun.createdAt)} UTC`}>
                      #{s.lastRun.number} · {formatTimeIn(s.lastRun.createdAt, s.timezone)}
                    </span>
                  </Link>
                ) : (
                  "—"
                )}
                {s.lastError && <p className="field-error">{s.lastError.message}</p>}
              </td>
              <td data-wide>
                <ScanButtons scan={s} actions={actions} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
