import type { RunStatus } from "../lib/types.ts";
import { progressPercent, progressText, progressTone, type ProgressTone, type TaskTally } from "./run-progress.ts";

const TONE: Record<ProgressTone, string> = {
  running: "bg-accent-600",
  succeeded: "bg-emerald-500",
  failed: "bg-red-500",
  cancelled: "bg-amber-400",
};

/** Tasks that ended out of those started, in the tone of the run's status (a cancelled run is amber, not green). */
export function ProgressBar({ tally, status }: { tally: TaskTally; status: RunStatus }) {
  const pct = progressPercent(tally, status);
  const text = progressText(tally, status);
  const tone = progressTone(status);
  return (
    <div>
      <div
        role="progressbar"
        aria-label="Run progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-valuetext={text}
        data-tone={tone}
        className="h-2 w-full overflow-hidden rounded-full bg-zinc-200"
      >
        <div className={`h-full rounded-full transition-all ${TONE[tone]}`} style={{ width: `${Math.max(pct, tone === "running" ? 3 : 0)}%` }} />
      </div>
      <p className="mt-1 text-xs text-zinc-500">{text}</p>
    </div>
  );
}
