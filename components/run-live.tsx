"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect, useState } from "react";
import type { ProblemState } from "../lib/actions/safe-action.ts";
import type { LogLineView, RunDetail, RunStreamEvent, TaskView } from "../lib/types.ts";
import { isTerminal } from "../runner/src/status.ts";
import { ProblemNote } from "./action-problem.tsx";
import { LogView } from "./log-view.tsx";
import { ProgressBar } from "./progress-bar.tsx";
import { placeInLine } from "./queue-place.ts";
import { StatusBadge } from "./status-badge.tsx";
import { TaskTimeline } from "./task-timeline.tsx";
import { DebugPanel } from "./debug-terminal.tsx";
import type { DebugAvailability } from "../lib/debug/types.ts";

/** What the page knows of the run when it renders; the event stream keeps it current. */
export type RunLiveInitial = Pick<RunDetail, "status" | "progress" | "tasks" | "logs" | "error" | "queuePosition" | "worker">;

function upsert(tasks: TaskView[], t: TaskView): TaskView[] {
  const rest = tasks.filter((x) => x.number !== t.number);
  return [...rest, t].sort((a, b) => a.number - b.number);
}

/**
 * The live part of a run page: status, progress, task timeline and logs, kept current from the
 * run's server-sent events. When the run ends the page is refreshed so stored documents appear.
 */
export function RunLive({
  eventsUrl,
  initial,
  cancelAction,
  debug = null,
}: {
  eventsUrl: string;
  initial: RunLiveInitial;
  cancelAction: ((state: ProblemState, data: FormData) => Promise<ProblemState>) | null;
  /** the run's debug terminals (its owner's page): shown while it runs */
  debug?: { runId: string; availability: DebugAvailability } | null;
}) {
  const router = useRouter();
  const [status, setStatus] = useState(initial.status);
  const [tasks, setTasks] = useState<TaskView[]>(initial.tasks);
  const [logs, setLogs] = useState<LogLineView[]>(initial.logs);
  const [error, setError] = useState(initial.error);
  const [progress, setProgress] = useState(initial.progress);
  const [place, setPlace] = useState({ queuePosition: initial.queuePosition, worker: initial.worker });
  const [connection, setConnection] = useState<"connecting" | "live" | "closed">(isTerminal(initial.status) ? "closed" : "connecting");

  useEffect(() => {
    if (isTerminal(initial.status)) return;
    const es = new EventSource(eventsUrl);
    const finish = () => {
      setConnection("closed");
      es.close();
      router.refresh();
    };
    const apply = (ev: RunStreamEvent) => {
      switch (ev.type) {
        case "snapshot":
          // a first connection starts with the whole run as stored so far
          setStatus(ev.run.status);
          setTasks(ev.run.tasks);
          setLogs(ev.run.logs);
          setError(ev.run.error);
          setProgress(ev.run.progress);
          setPlace({ queuePosition: ev.run.queuePosition, worker: ev.run.worker });
          break;
        case "status":
          setStatus(ev.status);
          setError(ev.error);
          setProgress(ev.progress);
          setPlace({ queuePosition: ev.queuePosition, worker: ev.worker });
          break;
        case "task":
          setTasks((ts) => upsert(ts, ev.task));
          break;
        case "log":
          // a reconnection resumes after the last line received (Last-Event-ID); never show one twice
          setLogs((ls) => ((ls.at(-1)?.seq ?? 0) >= ev.log.seq ? ls : [...ls, ev.log]));
          break;
        case "end":
          setStatus(ev.status);
          finish();
          break;
      }
    };
    es.onopen = () => setConnection("live");
    es.onmessage = (m: MessageEvent<string>) => {
      try {
        apply(JSON.parse(m.data) as RunStreamEvent);
      } catch {
        // a malformed line is skipped; the next event carries the full state again
      }
    };
    es.onerror = () => setConnection((c) => (c === "closed" ? c : "connecting"));
    return () => es.close();
  }, [eventsUrl, initial.status, router]);

  const done = isTerminal(status);
  const started = Math.max(progress.started, tasks.filter((t) => t.number > 0).length);
  const finished = done ? started : progress.finished;
  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-center gap-3">
        <span className="text-sm text-zinc-500">Status</span>
        <span aria-label="Run status" role="status">
          <StatusBadge status={status} />
        </span>
        {status === "queued" && place.queuePosition !== null && (
          <span className="text-sm text-zinc-600" aria-label="Queue position">
            {placeInLine(place.queuePosition)}
          </span>
        )}
        {place.worker && <span className="text-sm text-zinc-600">on worker {place.worker}</span>}
        {!done && (
          <span className="text-xs text-zinc-500" aria-live="polite">
            {connection === "live" ? "● live" : "connecting…"}
          </span>
        )}
        {!done && cancelAction && <CancelButton action={cancelAction} />}
      </div>
      {error && (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          <span className="font-semibold">{error.type}</span>: {error.message}
        </div>
      )}
      <ProgressBar started={started} finished={finished} done={done} />
      <section aria-labelledby="tasks-h">
        <h2 id="tasks-h" className="h-section mb-2">Tasks</h2>
        <TaskTimeline tasks={tasks} />
      </section>
      {debug && <DebugPanel runId={debug.runId} tasks={tasks} availability={debug.availability} running={!done} />}
      <section aria-labelledby="logs-h">
        <h2 id="logs-h" className="h-section mb-2">Logs</h2>
        <LogView lines={logs} live={!done} />
      </section>
    </div>
  );
}

function CancelButton({ action }: { action: (state: ProblemState, data: FormData) => Promise<ProblemState> }) {
  const [state, formAction, pending] = useActionState(action, { problem: null });
  return (
    <form action={formAction} className="ml-auto flex items-center gap-2">
      {state.problem && <ProblemNote problem={state.problem} />}
      <button type="submit" className="btn btn-danger" disabled={pending}>
        {pending ? "Cancelling…" : "Cancel run"}
      </button>
    </form>
  );
}
