"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect, useRef, useState } from "react";
import type { ProblemState } from "../lib/actions/safe-action.ts";
import type { DeviceWait, LogLineView, RunDetail, RunStreamEvent, TaskView } from "../lib/types.ts";
import { isTerminal } from "../runner/src/status.ts";
import { ProblemNote } from "./action-problem.tsx";
import { LogView } from "./log-view.tsx";
import { ProgressBar } from "./progress-bar.tsx";
import { placeInLine } from "./queue-place.ts";
import { tallyTasks } from "./run-progress.ts";
import { StatusBadge } from "./status-badge.tsx";
import { TaskTimeline } from "./task-timeline.tsx";
import { DebugPanel } from "./debug-terminal.tsx";
import type { DebugAvailability } from "../lib/debug/types.ts";
import { formatTime } from "./time.ts";

/** What the page knows of the run when it renders; the event stream keeps it current. */
export type RunLiveInitial = Pick<RunDetail, "status" | "progress" | "tasks" | "logs" | "error" | "queuePosition" | "worker" | "deviceWait" | "waitsFor">;

/** At most one refresh of the page's stored documents per this many ms while tasks keep storing. */
const DOCUMENTS_REFRESH_MS = 1500;

function upsert(tasks: TaskView[], t: TaskView): TaskView[] {
  const rest = tasks.filter((x) => x.number !== t.number);
  return [...rest, t].sort((a, b) => a.number - b.number);
}

/**
 * The live part of a run page: status, progress, task timeline and logs, kept current from the
 * run's server-sent events. When a task has stored its document (its `stored` flag in the stream)
 * and when the run ends, the page is refreshed so the stored documents appear.
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
  // the stream is opened once, for the status the page first rendered: a refresh for new documents
  // re-renders the page with a newer status, which must not open a second stream
  const startedAs = useRef(initial.status);
  const stored = useRef(new Set(initial.tasks.filter((t) => t.stored).map((t) => t.number)));

  useEffect(() => {
    if (isTerminal(startedAs.current)) return;
    const es = new EventSource(eventsUrl);
    let refreshTimer: ReturnType<typeof setTimeout> | null = null;
    const refreshSoon = () => {
      refreshTimer ??= setTimeout(() => {
        refreshTimer = null;
        router.refresh();
      }, DOCUMENTS_REFRESH_MS);
    };
    const noteStored = (ts: TaskView[]) => {
      for (const t of ts) {
        if (!t.stored || stored.current.has(t.number)) continue;
        stored.current.add(t.number);
        refreshSoon();
      }
    };
    const finish = () => {
      setConnection("closed");
      es.close();
      if (refreshTimer) clearTimeout(refreshTimer);
      router.refresh();
    };
    const apply = (ev: RunStreamEvent) => {
      switch (ev.type) {
        case "snapshot":
          // a first connection starts with the whole run as stored so far
          setStatus(ev.run.status);
          setTasks(ev.run.tasks);
          noteStored(ev.run.tasks);
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
          noteStored([ev.task]);
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
    return () => {
      if (refreshTimer) clearTimeout(refreshTimer);
      es.close();
    };
  }, [eventsUrl, router]);

  const done = isTerminal(status);
  const tally = tallyTasks(tasks, progress);
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
      {status === "queued" && initial.deviceWait && <DeviceWaitNote wait={initial.deviceWait} />}
      {status === "queued" && initial.waitsFor && (
        <p className="text-sm text-zinc-600" data-testid="run-waits-for">
          Waiting for {initial.waitsFor}.
        </p>
      )}
      {error && (
        <div role="alert" className={`rounded-md border px-3 py-2 text-sm ${status === "cancelled" ? "border-amber-200 bg-amber-50 text-amber-900" : "border-red-200 bg-red-50 text-red-800"}`}>
          <span className="font-semibold">{error.type}</span>: {error.message}
        </div>
      )}
      <ProgressBar tally={tally} status={status} />
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

/** A run waiting for its device: whether the device can take it now, and when the run stops waiting. */
function DeviceWaitNote({ wait }: { wait: DeviceWait }) {
  const connected = wait.state === "online" || wait.state === "draining";
  const how =
    wait.state === "never connected"
      ? "has never connected: start its agent on that machine (lev agent, see Settings → My devices)"
      : wait.state === "offline"
        ? `is offline (last seen ${formatTime(wait.lastSeenAt)} UTC): start its agent again`
        : wait.state === "revoked"
          ? "was revoked"
          : wait.state === "draining"
            ? "is stopping and takes no new run"
            : "is connected: it takes the run when it has room";
  return (
    <div role="status" aria-label="Device" className={`rounded-md border px-3 py-2 text-sm ${connected ? "border-sky-200 bg-sky-50 text-sky-900" : "border-amber-200 bg-amber-50 text-amber-900"}`}>
      Waiting for device <span className="font-medium">{wait.device}</span>, which {how}. If it has not taken the run by {formatTime(wait.endsAt)} UTC ({wait.wait} after it was queued), the run
      ends failed.
    </div>
  );
}
