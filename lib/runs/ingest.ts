import "server-only";
import type { WorkerCaller } from "../access/access.ts";
import { db } from "../platform/db.ts";
import { notFound } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { bossDb, getBoss } from "../queue/boss.ts";
import { notify, RUN_CHANNEL } from "../queue/notify.ts";
import { liveInstance } from "../queue/workers.ts";
import type { EventsRequest, EventsResponse, ReportedEvent } from "../../runner/worker/protocol.ts";
import { isTerminal } from "./projection.ts";
import { observe } from "../metrics/registry.ts";

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
const errorJson = (e: RunErrorIn | null) =>
  e ? ({ type: cut(e.type, 64), message: cut(e.message, MAX_MESSAGE), traceback: e.traceback ? cut(e.traceback, MAX_MESSAGE) : null, task: e.task ?? null } as Prisma.InputJsonValue) : undefined;

/** Seconds between two reported times; NaN (not recorded) when either is no date. */
const secondsBetween = (from: string, to: string) => (new Date(to).getTime() - new Date(from).getTime()) / 1000;

/** A collection a run may name: `ns|…|schema` parts without `$` or NUL, never the hub's own (`_levhub…`, `system.…`). */
export function storableCollection(coll: string): boolean {
  if (coll.length < 1 || coll.length > 512 || /[$\0]/.test(coll)) return false;
  if (coll.startsWith("_levhub") || coll.startsWith("system.")) return false;
  return coll.split("|").every((p) => p.length > 0);
}

function taskData(t: TaskRecord, now: Date) {
  return {
    image: cut(t.image, MAX_TEXT),
    resolvedImage: t.resolvedImage ? cut(t.resolvedImage, MAX_TEXT) : null,
    coll: cut(t.coll, MAX_TEXT),
    status: t.status,
    exitCode: t.exitCode,
    error: errorJson(t.error),
    stored: t.stored,
    startedAt: date(t.startedAt, now),
    endedAt: t.endedAt ? date(t.endedAt, now) : null,
  };
}

/**
 * `POST /api/worker/runs/{id}/events`: applies a worker's report on the run it holds, each event
 * once and in order (Run.reportedSeq; a gap stops the batch there, the worker resends), in one
 * transaction with the row locked: tasks, log lines (the hub's own seq, at most MAX_LOG_ROWS
 * kept), collections, `run.started` → running, `run.finished` → the final state and its pg-boss
 * job completed. A run the instance does not hold is 404; a finished run accepts nothing more.
 */
export async function ingestEvents(caller: WorkerCaller, runId: string, req: EventsRequest): Promise<EventsResponse> {
  const worker = await liveInstance(caller, req.instance);
  const boss = await getBoss();
  const events = [...req.events].sort((a, b) => a.seq - b.seq);
  // durations of what ended in this report, recorded once it is committed (each event is applied once)
  const ended: { key: "taskDuration" | "runDuration"; status: string; seconds: number }[] = [];
  const out = await db().$transaction(
    async (tx) => {
      ended.length = 0;
      const [run] = await tx.$queryRaw<{ status: string; reportedSeq: number; logLines: number; workerInstance: string | null; jobId: string | null; queue: string | null; cancelReason: string | null; cancelRequestedAt: Date | null; collections: string[] }[]>`
        SELECT status::text, "reportedSeq", "logLines", "workerInstance", "jobId", queue, "cancelReason", "cancelRequestedAt", collections
          FROM "Run" WHERE id = ${runId} FOR UPDATE`;
      if (!run || run.workerInstance !== worker.instance) throw notFound("run");
      const cancel = run.cancelRequestedAt ? (run.cancelReason ?? "cancelled") : undefined;
      if (isTerminal(run.status as never)) {
        // ended already (finished, or ended by the hub): nothing more is recorded, the worker may drop its report
        return { acked: Math.max(run.reportedSeq, events.at(-1)?.seq ?? 0), cancel: cancel ?? "the run has ended" };
      }
      let seq = run.reportedSeq;
      let status = run.status;
      let logLines = run.logLines;
      const collections = new Set(run.collections);
      const logs: Prisma.RunLogCreateManyInput[] = [];
      const now = new Date();
      const runData: Prisma.RunUpdateInput = {};
      const upsertTask = (t: TaskRecord) => {
        const data = taskData(t, now);
        return tx.task.upsert({ where: { runId_number: { runId, number: t.number } }, create: { runId, number: t.number, ...data }, update: data });
      };
      for (const { seq: s, event } of events) {
        if (s <= seq) continue; // applied before: a resent batch
        if (s !== seq + 1) break; // a gap: wait for the missing events
        if (isTerminal(status as never)) break;
        seq = s;
        switch (event.type) {
          case "run.started":
            if (status === "starting") {
              status = "running";
              runData.startedAt = date(event.at, now);
            }
            break;
          case "task.started":
          case "task.finished":
            await upsertTask(event.task);
            if (status === "starting") status = "running";
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
            for (const t of event.tasks) await upsertTask(t);
            await tx.task.updateMany({ where: { runId, endedAt: null }, data: { status: "cancelled", endedAt: now } });
            for (const c of event.collections) if (storableCollection(c)) collections.add(c);
            status = event.status;
            if (event.startedAt && event.endedAt) ended.push({ key: "runDuration", status: event.status, seconds: secondsBetween(event.startedAt, event.endedAt) });
            Object.assign(runData, {
              error: errorJson(event.error),
              exitCode: event.exitCode,
              startedAt: date(event.startedAt, now),
              endedAt: date(event.endedAt, now),
            });
            if (run.jobId && run.queue) await boss.complete(run.queue, run.jobId, { status: event.status }, { db: bossDb(tx) });
            break;
          }
        }
      }
      if (logs.length) await tx.runLog.createMany({ data: logs, skipDuplicates: true });
      await tx.run.update({
        where: { id: runId },
        data: { ...runData, status: status as never, reportedSeq: seq, logLines, collections: [...collections] },
      });
      if (seq !== run.reportedSeq) await notify(tx, RUN_CHANNEL, runId);
      return { acked: seq, cancel };
    },
    { timeout: 30_000, maxWait: 10_000 },
  );
  for (const e of ended) observe(e.key, { status: e.status }, e.seconds);
  return out.cancel ? { acked: out.acked, cancel: out.cancel } : { acked: out.acked };
}
