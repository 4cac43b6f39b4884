/** The runner's events as the worker reports them (protocol.ts `ReportedEvent`). */
import type { RunError, RunEvent } from "../src/types.ts";
import type { ReportedEvent } from "./protocol.ts";

/**
 * A runner event as the worker reports it; null for what stays in the worker's own log (a line of
 * the runner's machinery, LogLine.internal), never sent to the hub.
 */
export function reportedEvent(ev: RunEvent): ReportedEvent | null {
  switch (ev.type) {
    case "log": {
      if (ev.log.internal) return null;
      const { task, stream, line, at } = ev.log;
      return { type: "log", log: { task, stream, line, at } };
    }
    case "run.started":
      return { type: "run.started", at: ev.at };
    case "run.finished": {
      // the logs went as `log` events already; the result keeps only what ends the run
      const r = ev.result;
      return {
        type: "run.finished",
        status: r.status,
        error: r.error,
        exitCode: r.exitCode,
        tasks: r.tasks,
        collections: r.collections,
        startedAt: r.startedAt,
        endedAt: r.endedAt,
      };
    }
    default:
      return ev;
  }
}

/** The two events of a run that ended before the runner could start it (its files, a bad spec, a cancel). */
export function notStartedEvents(startedAt: string, status: "failed" | "cancelled", error: RunError): ReportedEvent[] {
  return [
    { type: "run.started", at: startedAt },
    {
      type: "log",
      log: { task: 0, stream: "system", line: error.message, at: new Date().toISOString() },
    },
    { type: "run.finished", status, error, exitCode: null, tasks: [], collections: [], startedAt, endedAt: new Date().toISOString() },
  ];
}
