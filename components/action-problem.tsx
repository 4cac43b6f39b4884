"use client";

import { useActionState, type ReactNode } from "react";
import type { ActionProblem, ProblemState } from "../lib/actions/safe-action.ts";

/** A refused action's message and its code (`not_found`, `forbidden`, …), beside the control that was refused. */
export function ProblemNote({ problem }: { problem: ActionProblem }) {
  return (
    <span role="alert" data-code={problem.code} className="text-xs text-red-700">
      {problem.message} <span className="font-mono text-red-500">({problem.code})</span>
    </span>
  );
}

/**
 * A one-button form (revoke, …): the hidden `fields` and a button; a refusal is shown under it
 * with its code instead of being thrown (a thrown error would reach the page without its code).
 */
export function ActionButton({
  action,
  fields,
  ariaLabel,
  className,
  children,
}: {
  action: (state: ProblemState, data: FormData) => Promise<ProblemState>;
  fields: Record<string, string>;
  ariaLabel: string;
  className: string;
  children: ReactNode;
}) {
  const [state, formAction, pending] = useActionState(action, { problem: null });
  return (
    <form action={formAction} className="inline-flex flex-col items-end gap-1">
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" className={className} aria-label={ariaLabel} disabled={pending}>
        {children}
      </button>
      {state.problem && <ProblemNote problem={state.problem} />}
    </form>
  );
}
