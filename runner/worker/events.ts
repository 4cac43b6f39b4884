/**
 * The runner's events as the worker reports them (protocol.ts `ReportedEvent`), each within
 * REPORT_BOUNDS: texts are cut as the hub would cut them anyway, so that every event fits in one
 * events request (EVENT_BATCH_LIMITS) however long a line or a traceback was.
 */
import type { RunError, RunEvent, TaskRecord } from "../src/types.ts";
import { REPORT_BOUNDS, type ReportedEvent } from "./protocol.ts";

const cut = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);

function boundedError(e: RunError | null): RunError | null {
  if (!e) return null;
  return { ...e, message: cut(e.message, REPORT_BOUNDS.messageChars), ...(e.traceback ? { traceback: cut(e.traceback, REPORT_BOUNDS.messageChars) } : {}) };
}

function boundedTask(t: TaskRecord): TaskRecord {
  const text = (s: string) => cut(s, REPORT_BOUNDS.textChars);
  return {
    ...t,
    image: text(t.image),
    schema: text(t.schema),
    coll: text(t.coll),
    host: text(t.host),
    ...(t.resolvedImage ? { resolvedImage: text(t.resolvedImage) } : {}),
    error: boundedError(t.error),
  };
}

/**
 * The events one runner event becomes (none for a line of the runner's machinery). A run's end carries every task record in the runner's
 * result: they go first, one `task.finished` each (the hub records a task the same way from
 * either), and `run.finished` itself carries none, so no single event grows with the run's size.
 */
export function reportedEvents(ev: RunEvent): ReportedEvent[] {
  switch (ev.type) {
    case "run.started":
      return [{ type: "run.started", at: ev.at }];
    case "run.finished": {
      // the logs went as `log` events already; the result keeps only what ends the run
      const r = ev.result;
      return [
        ...r.tasks.map((t): ReportedEvent => ({ type: "task.finished", task: boundedTask(t) })),
        {
          type: "run.finished",
          status: r.status,
          error: boundedError(r.error),
          exitCode: r.exitCode,
          tasks: [],
          // one past the cap is enough for the hub to see that the run passed it
          collections: r.collections.slice(0, REPORT_BOUNDS.collections + 1).map((c) => cut(c, REPORT_BOUNDS.textChars)),
          startedAt: r.startedAt,
          endedAt: r.endedAt,
        },
      ];
    }
    case "task.started":
    case "task.finished":
      return [{ type: ev.type, task: boundedTask(ev.task) }];
    case "log": {
      // a line of the runner's machinery (LogLine.internal) stays in the worker's own log
      if (ev.log.internal) return [];
      const { task, stream, line, at } = ev.log;
      return [{ type: "log", log: { task, stream, line: cut(line, REPORT_BOUNDS.logLineChars), at } }];
    }
    case "document":
      return [{ ...ev, coll: cut(ev.coll, REPORT_BOUNDS.textChars) }];
    default:
      return [ev];
  }
}

/** The two events of a run that ended before the runner could start it (its files, a bad spec, a cancel). */
export function notStartedEvents(startedAt: string, status: "failed" | "cancelled", error: RunError): ReportedEvent[] {
  return [
    { type: "run.started", at: startedAt },
    {
      type: "log",
      log: { task: 0, stream: "system", line: cut(error.message, REPORT_BOUNDS.logLineChars), at: new Date().toISOString() },
    },
    { type: "run.finished", status, error: boundedError(error), exitCode: null, tasks: [], collections: [], startedAt, endedAt: new Date().toISOString() },
  ];
}
