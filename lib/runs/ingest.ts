import "server-only";
import type { WorkerCaller } from "../access/access.ts";
import { db } from "../platform/db.ts";
import { notFound } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { finish, markRunning, recordTask, type TaskReport } from "../queue/lifecycle/index.ts";
import { notify, RUN_CHANNEL } from "../queue/notify.ts";
import { admitRequest } from "../queue/workers.ts";
import type { EventsRequest, EventsResponse, ReportedEvent } from "../../runner/worker/protocol.ts";
import { isTerminal, type RunStatus } from "../../runner/src/status.ts";
import type { HubRunError } from "../types.ts";
import { observe } from "../metrics/registry.ts";
import { maskReportedEvents } from "../secrets/mask-events.ts";
import { runMasker } from "../secrets/run-masker.ts";

/** Log lines kept per run in the database; the rest are counted and reported at the end. */
export const MAX_LOG_ROWS = 10_000;
/** A reported log line longer than this is cut (the runner already caps lines; a worker is not trusted to). */
const MAX_LINE_CHARS = 64 * 1024;
const MAX_TEXT = 1024;
const MAX_MESSAGE = 64 * 1024;

type TaskRecord = Extract<ReportedEvent, { type: "task.started" }>["task"];
type RunErrorIn = NonNullable<Extract<ReportedEvent, { type: "run.finished" }>["error"]>;

const cut = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);
const date = (s: string | null | undefined, fallback: Date) => {
  const d = s ? new Date(s) : null;
  return d && Number.isFinite(d.getTime()) ? d : fallback;
};
/** A reported error as stored: its type already one of the closed set (the protocol's schema), its texts cut. */
const errorOf = (e: RunErrorIn | null): HubRunError | null =>
  e ? { type: e.type, message: cut(e.message, MAX_MESSAGE), traceback: e.traceback ? cut(e.traceback, MAX_MESSAGE) : null, task: e.task ?? null } : null;

/** Seconds between two reported times; NaN (not recorded) when either is no date. */
const secondsBetween = (from: string, to: string) => (new Date(to).getTime() - new Date(from).getTime()) / 1000;

/** A collection a run may name: `ns|…|schema` parts without `$` or NUL, never the hub's own (`_levhub…`, `system.…`). */
export function storableCollection(coll: string): boolean {
  if (coll.length < 1 || coll.length > 512 || /[$\0]/.test(coll)) return false;
  if (coll.startsWith("_levhub") || coll.startsWith("system.")) return false;
  return coll.split("|").every((p) => p.length > 0);
}

function taskReport(t: TaskRecord, now: Date): TaskReport {
  return {
    number: t.number,
    image: cut(t.image, MAX_TEXT),
    resolvedImage: t.resolvedImage ? cut(t.resolvedImage, MAX_TEXT) : null,
    coll: cut(t.coll, MAX_TEXT),
    status: t.status,
    exitCode: t.exitCode,
    error: errorOf(t.error),
    stored: t.stored,
    startedAt: date(t.startedAt, now),
    endedAt: t.endedAt ? date(t.endedAt, now) : null,
  };
}

/**
 * `POST /api/worker/runs/{id}/events`: applies a worker's report on the run it holds, each event
 * once and in order (Run.reportedSeq; a gap stops the batch there, the worker resends), in one
 * transaction with the row locked: tasks, log lines (the hub's own seq, at most MAX_LOG_ROWS
 * kept), collections; `run.started` (or a first task) and `run.finished` change the run's state
 * through the lifecycle (lib/queue/lifecycle). A run the instance does not hold is 404; a finished
 * run accepts nothing more.
 */
export async function ingestEvents(caller: WorkerCaller, runId: string, req: EventsRequest): Promise<EventsResponse> {
  const worker = await admitRequest(caller, req.instance);
  // masked again here: the worker's runner masked its secrets, but a worker is not trusted to have
  const events = maskReportedEvents([...req.events].sort((a, b) => a.seq - b.seq), await runMasker(runId));
  // durations of what ended in this report, recorded once it is committed (each event is applied once)
  const ended: { key: "taskDuration" | "runDuration"; status: string; seconds: number }[] = [];
  const out = await db().$transaction(
    async (tx) => {
      ended.length = 0;
      const [run] = await tx.$queryRaw<{ status: RunStatus; reportedSeq: number; logLines: number; workerInstance: string | null; cancelReason: string | null; cancelRequestedAt: Date | null; collections: string[] }[]>`
        SELECT status::text, "reportedSeq", "logLines", "workerInstance", "cancelReason", "cancelRequestedAt", collections
          FROM "Run" WHERE id = ${runId} FOR UPDATE`;
      if (!run || run.workerInstance !== worker.instance) throw notFound("run");
      const cancel = run.cancelRequestedAt ? (run.cancelReason ?? "cancelled") : undefined;
      if (isTerminal(run.status)) {
        // ended already (finished, or ended by the hub): nothing more is recorded, the worker may drop its report
        return { acked: Math.max(run.reportedSeq, events.at(-1)?.seq ?? 0), cancel: cancel ?? "the run has ended" };
      }
      let seq = run.reportedSeq;
      let status: RunStatus = run.status;
      let logLines = run.logLines;
      const collections = new Set(run.collections);
      const logs: Prisma.RunLogCreateManyInput[] = [];
      const now = new Date();
      const started = async (at?: Date) => {
        if (status === "starting" && (await markRunning(tx, runId, worker.instance, at))) status = "running";
      };
      for (const { seq: s, event } of events) {
        if (s <= seq) continue; // applied before: a resent batch
        if (s !== seq + 1) break; // a gap: wait for the missing events
        if (isTerminal(status)) break;
        seq = s;
        switch (event.type) {
          case "run.started":
            await started(date(event.at, now));
            break;
          case "task.started":
          case "task.finished":
            await recordTask(tx, runId, taskReport(event.task, now));
            await started();
            if (event.type === "task.finished" && event.task.endedAt) ended.push({ key: "taskDuration", status: event.task.status, seconds: secondsBetween(event.task.startedAt, event.task.endedAt) });
            break;
          case "log":
            logLines++;
            if (logLines <= MAX_LOG_ROWS) {
              logs.push({ runId, seq: logLines, task: event.log.task, stream: event.log.stream, line: cut(event.log.line, MAX_LINE_CHARS), at: date(event.log.at, now) });
            }
            break;
          case "document":
            if (storableCollection(event.coll)) collections.add(event.coll);
            break;
          case "progress":
            break;
          case "run.finished": {
            if (logLines > MAX_LOG_ROWS) {
              logs.push({ runId, seq: MAX_LOG_ROWS + 1, task: 0, stream: "system", line: `${logLines - MAX_LOG_ROWS} more log lines were not kept (at most ${MAX_LOG_ROWS} per run)`, at: now });
            }
            for (const t of event.tasks) await recordTask(tx, runId, taskReport(t, now));
            for (const c of event.collections) if (storableCollection(c)) collections.add(c);
            const outcome = { status: event.status, error: errorOf(event.error), exitCode: event.exitCode, startedAt: date(event.startedAt, now), endedAt: date(event.endedAt, now) };
            if (await finish(tx, runId, worker.instance, outcome)) {
              status = event.status;
              if (event.startedAt && event.endedAt) ended.push({ key: "runDuration", status: event.status, seconds: secondsBetween(event.startedAt, event.endedAt) });
            }
            break;
          }
        }
      }
      if (logs.length) await tx.runLog.createMany({ data: logs, skipDuplicates: true });
      // what the report added besides the run's state (which only the lifecycle writes)
      await tx.run.update({ where: { id: runId }, data: { reportedSeq: seq, logLines, collections: [...collections] } });
      if (seq !== run.reportedSeq) await notify(tx, RUN_CHANNEL, runId);
      return { acked: seq, cancel };
    },
    { timeout: 30_000, maxWait: 10_000 },
  );
  for (const e of ended) observe(e.key, { status: e.status }, e.seconds);
  return out.cancel ? { acked: out.acked, cancel: out.cancel } : { acked: out.acked };
}
