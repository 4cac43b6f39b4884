/**
 * Where a queued run's time goes, phase by phase: the hub's own timestamps of each run (created,
 * claimed, ended) against the engine's container events of the same run (create, start, die,
 * destroy of its workflow and tool containers), both on this machine's clock. Pure: the bench
 * collects, this reduces to p50/p95 per phase.
 */
import type { ContainerEvent } from "../../lib/testing/queue-faults.ts";
import { percentile } from "./waits.ts";

export interface RunTimes {
  id: string;
  createdAt: Date;
  claimedAt: Date | null;
  endedAt: Date | null;
}

export interface PhaseRow {
  phase: string;
  /** ms, over the runs that have both ends of the phase */
  p50: number;
  p95: number;
  n: number;
}


/** first event of `role`/`action` of one run */
function at(events: ContainerEvent[], role: string, action: string): number | undefined {
  let best: number | undefined;
  for (const e of events) if (e.role === role && e.action === action && (best === undefined || e.at < best)) best = e.at;
  return best;
}

/**
 * The phases of each run in order, and the slot's turnaround: from a run's end (recorded by the
 * hub) to the next claim, the time a worker's slot stood idle while runs waited.
 */
export function phaseSpans(runs: RunTimes[], events: ContainerEvent[], taskEnds?: ReadonlyMap<string, number>): PhaseRow[] {
  const byRun = new Map<string, ContainerEvent[]>();
  for (const e of events) {
    const list = byRun.get(e.run) ?? [];
    list.push(e);
    byRun.set(e.run, list);
  }
  type Mark = [string, (r: RunTimes, ev: ContainerEvent[]) => number | undefined];
  const marks: Mark[] = [
    ["submitted", (r) => r.createdAt.getTime()],
    ["claimed by the worker", (r) => r.claimedAt?.getTime()],
    ["workflow container created", (_, ev) => at(ev, "workflow", "create")],
    ["workflow container started", (_, ev) => at(ev, "workflow", "start")],
    ["tool container created", (_, ev) => at(ev, "tool", "create")],
    ["tool container started", (_, ev) => at(ev, "tool", "start")],
    ["tool container exited", (_, ev) => at(ev, "tool", "die")],
    // the worker's "task finished" line: the runner stored the task's document and recorded its end
    ...(taskEnds ? [["task's end recorded by the runner (document stored)", (r: RunTimes) => taskEnds.get(r.id)] as Mark] : []),
    ["workflow container exited", (_, ev) => at(ev, "workflow", "die")],
    ["run ended (hub)", (r) => r.endedAt?.getTime()],
  ];
  const rows: PhaseRow[] = [];
  const spans = (from: number, to: number) => {
    const xs: number[] = [];
    for (const r of runs) {
      const ev = byRun.get(r.id) ?? [];
      const a = marks[from][1](r, ev);
      const b = marks[to][1](r, ev);
      if (a !== undefined && b !== undefined) xs.push(b - a);
    }
    return xs;
  };
  const push = (phase: string, xs: number[]) => {
    if (xs.length) rows.push({ phase, p50: percentile(xs, 50), p95: percentile(xs, 95), n: xs.length });
  };
  for (let i = 1; i < marks.length; i++) push(`${marks[i - 1][0]} → ${marks[i][0]}`, spans(i - 1, i));
  push("claimed → ended (a slot held)", spans(1, marks.length - 1));
  const destroyed: number[] = [];
  for (const r of runs) {
    const ev = byRun.get(r.id) ?? [];
    const died = at(ev, "workflow", "die");
    const gone = at(ev, "workflow", "destroy");
    if (died !== undefined && gone !== undefined) destroyed.push(gone - died);
  }
  push("workflow container exited → removed", destroyed);
  push("run ended → next claim (a slot idle while runs wait)", slotTurnaround(runs));
  return rows;
}

/** For each end, the first later claim not already paired with an earlier end. */
export function slotTurnaround(runs: RunTimes[]): number[] {
  const ends = runs.map((r) => r.endedAt?.getTime()).filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  const claims = runs.map((r) => r.claimedAt?.getTime()).filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  const out: number[] = [];
  let c = 0;
  for (const end of ends) {
    while (c < claims.length && claims[c] < end) c++;
    if (c >= claims.length) break;
    out.push(claims[c] - end);
    c++;
  }
  return out;
}

export function formatSpans(rows: PhaseRow[]): string[] {
  const width = Math.max(...rows.map((r) => r.phase.length));
  return rows.map((r) => `   ${r.phase.padEnd(width)}  p50 ${r.p50.toFixed(0).padStart(5)} ms  p95 ${r.p95.toFixed(0).padStart(5)} ms  (${r.n})`);
}
