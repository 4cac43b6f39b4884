import { STATE_LABELS, type FindingSeverity, type FindingState } from "../../lib/schemas/finding-vocabulary.ts";

/** One style per severity: a severity added to the closed set must get one here. */
const SEVERITY_STYLES: Record<FindingSeverity, string> = {
  critical: "border-red-300 bg-red-100 text-red-900",
  high: "border-orange-300 bg-orange-50 text-orange-900",
  medium: "border-amber-300 bg-amber-50 text-amber-900",
  low: "border-sky-200 bg-sky-50 text-sky-800",
  info: "border-zinc-200 bg-zinc-50 text-zinc-700",
};

/** A severity as a pill; its text is the severity itself, so tests and readers agree. */
export function SeverityBadge({ severity }: { severity: FindingSeverity }) {
  return (
    <span data-severity={severity} className={`inline-flex items-center rounded-full border px-2 py-0.5 text-xs font-medium ${SEVERITY_STYLES[severity]}`}>
      {severity}
    </span>
  );
}

const STATE_STYLES: Record<FindingState, string> = {
  new: "border-sky-200 bg-sky-50 text-sky-800",
  confirmed: "border-red-200 bg-red-50 text-red-800",
  false_positive: "border-zinc-200 bg-zinc-50 text-zinc-600",
  accepted_risk: "border-amber-200 bg-amber-50 text-amber-800",
  fixed: "border-emerald-200 bg-emerald-50 text-emerald-800",
};

export function StateBadge({ state }: { state: FindingState }) {
  return (
    <span data-state={state} className={`inline-flex items-center rounded-full border px-2 py-0.5 text-xs font-medium ${STATE_STYLES[state]}`}>
      {STATE_LABELS[state]}
    </span>
  );
}
