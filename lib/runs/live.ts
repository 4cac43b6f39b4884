import "server-only";
import { db } from "../platform/db.ts";
import { RUN_CHANNEL, watch } from "../queue/notify.ts";
import type { LogLineView, RunDetail, RunStreamEvent, Viewer } from "../types.ts";
import { isTerminal } from "../../runner/src/status.ts";
import { loadRun, queuePositions, summary, taskView, type RunRow } from "./projection.ts";
import { getRun, runDetail } from "./queries.ts";
import { waitForEnd } from "./commands.ts";

/** How often a live stream re-reads the run without a NOTIFY (a missed one, the queue position moving). */
const RECHECK_MS = 2000;
const LOG_BATCH = 1000;

const taskKey = (t: RunRow["tasks"][number]) => `${t.status}|${t.endedAt?.getTime() ?? ""}|${t.stored}|${t.exitCode ?? ""}|${t.resolvedImage ?? ""}`;

async function statusEvent(row: RunRow): Promise<Extract<RunStreamEvent, { type: "status" }>> {
  const s = summary(row, (await queuePositions([row])).get(row.id) ?? null);
  return { type: "status", status: s.status, queuePosition: s.queuePosition, worker: s.worker, error: (row.error as RunDetail["error"]) ?? null, progress: s.progress };
}

/**
 * The run page's live stream, read from the database wherever the run runs: a snapshot (or, with
 * `afterSeq` from a reconnecting client's Last-Event-ID, the status and every task), then log
 * lines by seq, changed tasks and status changes as workers report them (woken by NOTIFY), then
 * `end`. Ends early when `signal` aborts.
 */
export async function* runEvents(viewer: Viewer, ref: string, signal: AbortSignal, resume?: { afterSeq: number }): AsyncGenerator<RunStreamEvent> {
  const runId = (await loadRun(viewer, ref)).row.id;
  // watch before reading, so a change between the read and the wait is not missed
  const w = await watch(RUN_CHANNEL, (p) => p === runId);
  try {
    const first = await loadRun(viewer, runId);
    let row = first.row;
    let lastSeq: number;
    const seen = new Map<number, string>();
    let status = await statusEvent(row);
    if (resume) {
      lastSeq = resume.afterSeq;
      yield status;
      for (const t of row.tasks) {
        seen.set(t.number, taskKey(t));
        yield { type: "task", task: taskView(t) };
      }
    } else {
      const snap = await runDetail(row, first.rights);
      lastSeq = snap.logs.at(-1)?.seq ?? 0;
      for (const t of row.tasks) seen.set(t.number, taskKey(t));
      yield { type: "snapshot", run: snap };
    }
    for (;;) {
      // every log line up to the status just read is committed (a worker's batch is one transaction)
      for (;;) {
        const logs = await db().runLog.findMany({ where: { runId, seq: { gt: lastSeq } }, orderBy: { seq: "asc" }, take: LOG_BATCH });
        for (const l of logs) {
          const log: LogLineView = { seq: l.seq, task: l.task, stream: l.stream as LogLineView["stream"], line: l.line, at: l.at.toISOString() };
          lastSeq = l.seq;
          yield { type: "log", log };
        }
        if (logs.length < LOG_BATCH) break;
      }
      for (const t of row.tasks) {
        const key = taskKey(t);
        if (seen.get(t.number) === key) continue;
        seen.set(t.number, key);
        yield { type: "task", task: taskView(t) };
      }
      const next = await statusEvent(row);
      if (JSON.stringify(next) !== JSON.stringify(status)) {
        status = next;
        yield status;
      }
      if (isTerminal(row.status)) {
        yield { type: "end", status: row.status };
        return;
      }
      await w.next(RECHECK_MS, signal);
      if (signal.aborted) return;
      row = (await loadRun(viewer, runId)).row;
    }
  } finally {
    w.close();
  }
}

/** Waits until a run has ended and its final state is recorded, wherever it runs (tests, the CLI's --wait). */
export async function waitForRun(viewer: Viewer, ref: string): Promise<RunDetail> {
  const runId = (await loadRun(viewer, ref)).row.id;
  while (!(await waitForEnd(runId, 60_000)));
  return getRun(viewer, runId);
}
