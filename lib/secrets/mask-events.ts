/**
 * The hub's own masking of what a worker reports (defence in depth: the worker's runner masked it
 * already, but a worker is not trusted to have). Pure: log lines through one window per task and
 * stream across the batch (a secret split across lines is found within one report), every error
 * text, and documents' strings.
 */
import type { SecretMasker } from "../../runner/src/index.ts";
import type { ReportedEvent } from "../../runner/worker/protocol.ts";

type RunErrorIn = NonNullable<Extract<ReportedEvent, { type: "run.finished" }>["error"]>;
type TaskIn = Extract<ReportedEvent, { type: "task.started" }>["task"];

function maskError(masker: SecretMasker, e: RunErrorIn | null): RunErrorIn | null {
  if (!e) return e;
  return { ...e, message: masker.text(e.message), ...(e.traceback ? { traceback: masker.text(e.traceback) } : {}) };
}

const maskTask = (masker: SecretMasker, t: TaskIn): TaskIn => ({ ...t, error: maskError(masker, t.error) });

/** The events with every secret masked; the same array when there is nothing to mask. */
export function maskReportedEvents<E extends { event: ReportedEvent }>(events: E[], masker: SecretMasker): E[] {
  if (masker.empty) return events;
  const out = events.map((e) => ({ ...e }));
  // log lines: one window per task and stream, each line back in its place
  const byStream = new Map<string, number[]>();
  out.forEach((e, i) => {
    if (e.event.type !== "log") return;
    const key = `${e.event.log.task}/${e.event.log.stream}`;
    byStream.set(key, [...(byStream.get(key) ?? []), i]);
  });
  for (const indexes of byStream.values()) {
    const masked: string[] = [];
    const w = masker.lines((line) => masked.push(line));
    for (const i of indexes) w.push((out[i].event as Extract<ReportedEvent, { type: "log" }>).log.line);
    w.end();
    indexes.forEach((i, k) => {
      const ev = out[i].event as Extract<ReportedEvent, { type: "log" }>;
      out[i] = { ...out[i], event: { ...ev, log: { ...ev.log, line: masked[k] } } };
    });
  }
  for (const [i, e] of out.entries()) {
    const ev = e.event;
    if (ev.type === "task.started" || ev.type === "task.finished") out[i] = { ...e, event: { ...ev, task: maskTask(masker, ev.task) } };
    else if (ev.type === "run.finished") out[i] = { ...e, event: { ...ev, error: maskError(masker, ev.error), tasks: ev.tasks.map((t) => maskTask(masker, t)) } };
  }
  return out;
}
