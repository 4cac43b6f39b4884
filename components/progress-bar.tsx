/** Finished tasks out of started ones; an indeterminate stripe while nothing is known yet. */
export function ProgressBar({ finished, started, done }: { finished: number; started: number; done: boolean }) {
  const pct = done ? 100 : started === 0 ? 0 : Math.round((finished / started) * 100);
  return (
    <div>
      <div
        role="progressbar"
        aria-label="Run progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-valuetext={`${finished} of ${started} tasks finished`}
        className="h-2 w-full overflow-hidden rounded-full bg-zinc-200"
      >
        <div className={`h-full rounded-full transition-all ${done ? "bg-emerald-500" : "bg-accent-600"}`} style={{ width: `${Math.max(pct, done ? 100 : 3)}%` }} />
      </div>
      <p className="mt-1 text-xs text-zinc-500">{finished} of {started} {started === 1 ? "task" : "tasks"} finished</p>
    </div>
  );
}
