"use client";

import { useActionState, useState } from "react";
import type { ActionProblem } from "../../lib/actions/safe-action.ts";
import type { ErrorCode } from "../../lib/errors.ts";
import { PROJECT_EVENT_LABELS, PROJECT_EVENT_TYPE_LIST } from "../../lib/events/event-types.ts";
import { FINDING_SEVERITIES } from "../../lib/schemas/finding-vocabulary.ts";
import { ProblemNote } from "../action-problem.tsx";

/**
 * Adding a notification rule (a project's notifications page): what it hears, from which severity,
 * and where it goes. A webhook's signing secret is shown once, after saving, to copy.
 */

export type NotifyRuleFormState =
  | { status: "idle" }
  | { status: "saved"; name: string; secret: string | null }
  | { status: "error"; errors: Record<string, string>; message: string; code: ErrorCode };

export type NotifyTestState = { problem: ActionProblem | null; outcome: string | null };

const CHANNELS = [
  { value: "webhook", label: "Webhook (signed JSON)" },
  { value: "slack", label: "Slack-compatible incoming webhook" },
  { value: "email", label: "E-mail" },
] as const;

function FieldError({ text }: { text?: string }) {
  return text ? <p role="alert" className="field-error">{text}</p> : null;
}

export function NotifyRuleForm({ action }: { action: (s: NotifyRuleFormState, d: FormData) => Promise<NotifyRuleFormState> }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const [channel, setChannel] = useState<string>("webhook");
  const errors = state.status === "error" ? state.errors : {};
  return (
    <form action={formAction} className="space-y-3 text-sm" aria-label="Add a notification rule">
      <div className="flex flex-wrap gap-3">
        <label className="flex flex-col">
          <span className="label">Name</span>
          <input name="name" className="input" required maxLength={100} />
          <FieldError text={errors.name} />
        </label>
        <label className="flex flex-col">
          <span className="label">Deliver by</span>
          <select name="channel" className="input" value={channel} onChange={(e) => setChannel(e.target.value)}>
            {CHANNELS.map((c) => (
              <option key={c.value} value={c.value}>{c.label}</option>
            ))}
          </select>
        </label>
        {channel === "email" ? (
          <label className="flex w-full flex-col sm:w-80">
            <span className="label">E-mail addresses (comma separated)</span>
            <input name="emails" className="input" />
            <FieldError text={errors.emails} />
          </label>
        ) : (
          <label className="flex w-full flex-col sm:w-96">
            <span className="label">URL (https)</span>
            <input name="url" type="url" className="input" />
            <FieldError text={errors.url} />
          </label>
        )}
      </div>
      <fieldset>
        <legend className="label">When</legend>
        <div className="mt-1 flex flex-wrap gap-4">
          {PROJECT_EVENT_TYPE_LIST.map((t) => (
            <label key={t} className="flex items-center gap-1">
              <input type="checkbox" name="events" value={t} defaultChecked={t === "run.failed"} /> {PROJECT_EVENT_LABELS[t]}
            </label>
          ))}
        </div>
        <FieldError text={errors.events} />
      </fieldset>
      <label className="flex w-60 flex-col">
        <span className="label">Findings at or above</span>
        <select name="minSeverity" className="input" defaultValue="">
          <option value="">any severity</option>
          {FINDING_SEVERITIES.map((s) => (
            <option key={s} value={s}>{s}</option>
          ))}
        </select>
      </label>
      <button type="submit" className="btn btn-primary" disabled={pending}>Add rule</button>
      {state.status === "saved" && (
        <div role="status" className="text-emerald-700">
          Rule {state.name} added.
          {state.secret && (
            <p className="mt-1 text-zinc-800">
              Signing secret (shown this once): <code data-testid="webhook-secret" className="font-mono">{state.secret}</code>
            </p>
          )}
        </div>
      )}
      {state.status === "error" && !Object.keys(state.errors).length && (
        <p role="alert" data-code={state.code} className="text-red-700">{state.message}</p>
      )}
    </form>
  );
}

export function NotifyTestButton({ action, id, name }: { action: (s: NotifyTestState, d: FormData) => Promise<NotifyTestState>; id: string; name: string }) {
  const [state, formAction, pending] = useActionState(action, { problem: null, outcome: null });
  return (
    <form action={formAction} className="inline-flex flex-col items-end gap-1">
      <input type="hidden" name="id" value={id} />
      <button type="submit" className="btn py-0.5 text-xs" aria-label={`Send a test through ${name}`} disabled={pending}>Send test</button>
      {state.outcome && <span role="status" className="text-xs text-zinc-700">{state.outcome}</span>}
      {state.problem && <ProblemNote problem={state.problem} />}
    </form>
  );
}
