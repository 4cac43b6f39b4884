"use client";

import Link from "next/link";
import { useActionState, useState } from "react";
import type { ActionProblem } from "../../lib/actions/safe-action.ts";
import type { FindingSummary } from "../../lib/findings/types.ts";
import { FINDING_STATES, STATE_LABELS } from "../../lib/schemas/finding-vocabulary.ts";
import { ProblemNote } from "../action-problem.tsx";
import { formatTime } from "../time.ts";
import { SeverityBadge, StateBadge } from "./badges.tsx";

export interface TriageState {
  problem: ActionProblem | null;
  done: { changed: number; unchanged: number } | null;
}

export const findingHref = (slug: string, id: string) => `/projects/${slug}/findings/${id}`;

/**
 * A page of findings; with the triage right, each row has a checkbox and the bar above sets the
 * chosen ones' state with a note (one request, all or nothing).
 */
export function FindingsTable({
  slug,
  findings,
  caption,
  triageAction,
}: {
  slug: string;
  findings: FindingSummary[];
  caption: string;
  /** null: the viewer may not triage here (a viewer of the project) */
  triageAction: ((state: TriageState, data: FormData) => Promise<TriageState>) | null;
}) {
  const [state, formAction, pending] = useActionState(triageAction ?? (async (s: TriageState) => s), { problem: null, done: null });
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const toggle = (id: string) => setChosen((c) => (c.has(id) ? new Set([...c].filter((x) => x !== id)) : new Set([...c, id])));
  const all = findings.length > 0 && findings.every((f) => chosen.has(f.id));
  const table = (
    <div className="card overflow-x-auto">
      <table className="table-dense table-stack">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {triageAction && (
              <th scope="col" className="w-8">
                <input type="checkbox" aria-label="Choose every finding on this page" checked={all} onChange={() => setChosen(all ? new Set() : new Set(findings.map((f) => f.id)))} />
              </th>
            )}
            <th scope="col">Severity</th>
            <th scope="col">Finding</th>
            <th scope="col">Asset</th>
            <th scope="col">State</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {findings.map((f) => (
            <tr key={f.id} data-finding={f.id}>
              {triageAction && (
                <td data-label="Choose">
                  <input type="checkbox" name="ids" value={f.id} aria-label={`Choose finding ${f.id}: ${f.title}`} checked={chosen.has(f.id)} onChange={() => toggle(f.id)} />
                </td>
              )}
              <td data-label="Severity"><SeverityBadge severity={f.severity} /></td>
              <td data-label="Finding" data-wide className="break-words">
                <Link href={findingHref(slug, f.id)}>{f.title}</Link>
                <div className="text-xs text-zinc-500">{f.tool} · {f.function}</div>
              </td>
              <td data-label="Asset" className="font-mono text-xs break-all">{f.asset?.label ?? <span className="font-sans text-zinc-500">the project</span>}</td>
              <td data-label="State">
                <StateBadge state={f.state} />
                {f.stateBy && <div className="text-xs text-zinc-500">by {f.stateBy}</div>}
              </td>
              <td data-label="Last seen" className="whitespace-nowrap text-xs tabular-nums">
                {formatTime(f.lastSeen)}
                {f.lastRun && <> · <Link href={`/runs/${f.lastRun.id}`}>#{f.lastRun.number}</Link></>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
  if (!triageAction) return table;
  return (
    <form action={formAction} aria-label="Triage findings" className="space-y-2">
      <fieldset className="card flex flex-wrap items-end gap-2 p-3" disabled={pending}>
        <legend className="sr-only">Triage the chosen findings</legend>
        <p className="w-full text-sm text-zinc-600 sm:w-auto sm:self-center">{chosen.size ? `${chosen.size} chosen` : "Choose findings below"}</p>
        <div>
          <label htmlFor="triage-state" className="label text-xs">Set state</label>
          <select id="triage-state" name="state" defaultValue="confirmed" className="input mt-0.5 w-44">
            {FINDING_STATES.map((s) => (
              <option key={s} value={s}>{STATE_LABELS[s]}</option>
            ))}
          </select>
        </div>
        <div className="min-w-0 grow">
          <label htmlFor="triage-note" className="label text-xs">Note</label>
          <input id="triage-note" name="note" maxLength={2000} placeholder="why (kept with each finding's history)" className="input mt-0.5" />
        </div>
        <button type="submit" className="btn btn-primary" disabled={pending || chosen.size === 0}>Apply to {chosen.size || "chosen"}</button>
        {state.problem && <ProblemNote problem={state.problem} />}
        {state.done && !state.problem && (
          <p role="status" className="w-full text-xs text-emerald-700">
            {state.done.changed} changed{state.done.unchanged ? `, ${state.done.unchanged} already so` : ""}
          </p>
        )}
      </fieldset>
      {table}
    </form>
  );
}

/** One finding's triage: a state and a note (the finding page). */
export function TriageForm({ id, current, triageAction }: { id: string; current: string; triageAction: (state: TriageState, data: FormData) => Promise<TriageState> }) {
  const [state, formAction, pending] = useActionState(triageAction, { problem: null, done: null });
  return (
    <form action={formAction} aria-label="Triage this finding" className="card flex flex-wrap items-end gap-2 p-3">
      <input type="hidden" name="ids" value={id} />
      <div>
        <label htmlFor="one-state" className="label text-xs">State</label>
        <select id="one-state" name="state" defaultValue={current} className="input mt-0.5 w-44">
          {FINDING_STATES.map((s) => (
            <option key={s} value={s}>{STATE_LABELS[s]}</option>
          ))}
        </select>
      </div>
      <div className="min-w-0 grow">
        <label htmlFor="one-note" className="label text-xs">Note</label>
        <input id="one-note" name="note" maxLength={2000} placeholder="why" className="input mt-0.5" />
      </div>
      <button type="submit" className="btn btn-primary" disabled={pending}>Save</button>
      {state.problem && <ProblemNote problem={state.problem} />}
      {state.done && !state.problem && <p role="status" className="w-full text-xs text-emerald-700">{state.done.changed ? "Saved" : "Already so"}</p>}
    </form>
  );
}
