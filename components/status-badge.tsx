import type { RunStatus, TaskStatus } from "../lib/types.ts";

/** One style per status of a run or a task: a status added to either closed set must get one here. */
const STYLES: Record<RunStatus | TaskStatus, string> = {
  queued: "border-zinc-300 bg-zinc-100 text-zinc-700",
  starting: "border-sky-200 bg-sky-50 text-sky-800",
  running: "border-sky-200 bg-sky-50 text-sky-800",
  succeeded: "border-emerald-200 bg-emerald-50 text-emerald-800",
  failed: "border-red-200 bg-red-50 text-red-800",
  cancelled: "border-amber-200 bg-amber-50 text-amber-800",
  stopped: "border-amber-200 bg-amber-50 text-amber-800",
  timed_out: "border-orange-200 bg-orange-50 text-orange-800",
};

/** A run or task status as a coloured pill; the text is the status itself so tests and readers agree. */
export function StatusBadge({ status }: { status: RunStatus | TaskStatus }) {
  const style = STYLES[status];
  return (
    <span data-status={status} className={`inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs font-medium ${style}`}>
      {(status === "running" || status === "starting") && <span aria-hidden className="size-1.5 animate-pulse rounded-full bg-sky-500" />}
      {status.replace("_", " ")}
    </span>
  );
}
