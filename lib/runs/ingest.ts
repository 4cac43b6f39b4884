import "server-only";
import { db } from "../platform/db.ts";
import { conflict, notFound } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { endRun, finish, markRunning, mergeTaskReport, recordTasks, type TaskReport, type Tx } from "../queue/lifecycle/index.ts";
import { notify, RUN_CHANNEL } from "../queue/notify.ts";
import { checkBodyInstance, type WorkerRow } from "../queue/workers.ts";
import type { EventsRequest, EventsResponse, ReportedEvent } from "../../runner/worker/protocol.ts";
import type { RunLimits } from "../../runner/src/policy/policy.ts";
import { isTerminal, type RunStatus } from "../../runner/src/status.ts";
import type { HubRunError } from "../types.ts";
import { collectionsOverQuota, droppedLinesNotice, RUN_REPORT_LIMITS, storableCollection, tallyLine, taskOverQuota, type LogTally } from "./report-limits.ts";
import { observe } from "../metrics/registry.ts";
import { maskReportedEvents } from "../secrets/mask-events.ts";
import { runMasker } from "../secrets/run-masker.ts";
import { audit } from "../platform/audit.ts";
import { blockedSummary } from "./scope-report.ts";

export { storableCollection } from "./report-limits.ts";

type TaskRecord = Extract<ReportedEvent, { type: "task.started" }>["task"];
type ScopeReport = Extract<ReportedEvent, { type: "scope" }>["scope"];
type RunErrorIn = NonNullable<Extract<ReportedEvent, { type: "run.finished" }>["error"]>;

const cut = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);
/** A reported time, or `fallback` when it is none or one PostgreSQL could not store (a year before 1970 or after 9999: a worker's, not a clock's). */
const date = (s: string | null | undefined, fallback: Date) => {
  const d = s ? new Date(s) : null;
  const year = d?.getUTCFullYear() ?? Number.NaN;
  return d && year >= 1970 && year <= 9999 ? d : fallback;
};
const { messageChars, textChars, lineChars } = RUN_REPORT_LIMITS;
/** A reported error as stored: its type already one of the closed set (the protocol's schema), its texts cut. */
const errorOf = (e: RunErrorIn | null): HubRunError | null =>
  e ? { type: e.type, message: cut(e.message, messageChars), traceback: e.traceback ? cut(e.traceback, messageChars) : null, task: e.task ?? null } : null;

/** Seconds between two reported times; NaN (not recorded) when either is no date. */
const secondsBetween = (from: string, to: string) => (new Date(to).getTime() - new Date(from).getTime()) / 1000;

function taskReport(t: TaskRecord, now: Date): TaskReport {
  return {
    number: t.number,
    image: cut(t.image, textChars),
    resolvedImage: t.resolvedImage ? cut(t.resolvedImage, textChars) : null,
    coll: cut(t.coll, textChars),
    status: t.status,
    exitCode: t.exitCode,
    error: errorOf(t.error),
    stored: t.stored,
    startedAt: date(t.startedAt, now),
    endedAt: t.endedAt ? date(t.endedAt, now) : null,
  };
}

/** The run the events are about, as admitted (lib/worker/admission.ts): held by the instance reporting. */
export interface ReportedRun {
  id: string;
  limits: Pick<RunLimits, "maxTasks">;
}

/**
 * `POST /api/worker/runs/{id}/events` of an admitted instance holding the run: applies the
 * worker's report, each event once and in order (Run.reportedSeq; a gap stops the batch there, the
 * worker resends), in one transaction with the row locked: tasks, log lines (the hub's own seq),
 * collections; `run.started` (or a first task) and `run.finished` change the run's state through
 * the lifecycle (lib/queue/lifecycle). A finished run accepts nothing more.
 *
 * Nothing a worker says is taken at its size (lib/runs/report-limits.ts): texts are cut; log lines
 * past the run's line or byte cap are counted, not stored (one line at the end says how many); a
 * task number past the run's maxTasks or a collection past the run's cap ends the run failed,
 * QuotaExceeded, and the worker is told to stop (`cancel` in the answer).
 */
export async function ingestEvents(worker: WorkerRow, reported: ReportedRun, req: EventsRequest): Promise<EventsResponse> {
  checkBodyInstance(worker, req.instance);
  const runId = reported.id;
  // masked again here: the worker's runner masked its secrets, but a worker is not trusted to have
  const events = maskReportedEvents([...req.events].sort((a, b) => a.seq - b.seq), await runMasker(runId));
  // durations of what ended in this report, recorded once it is committed (each event is applied once)
  const ended: { key: "taskDuration" | "runDuration"; status: string; seconds: number }[] = [];
  // a scoped run that ended with blocked attempts: one audit row, once it is committed
  let blockedAudit: { projectId: string; data: Prisma.InputJsonValue } | null = null;
  const out = await db().$transaction(
    async (tx) => {
      ended.length = 0;
      blockedAudit = null;
      const [run] = await tx.$queryRaw<
        { status: RunStatus; reportedSeq: number; logLines: number; logDropped: number; logBytes: bigint; workerInstance: string | null; cancelReason: string | null; cancelRequestedAt: Date | null; collections: string[]; projectId: string; scopeReport: ScopeReport | null }[]
      >`
        SELECT status::text, "reportedSeq", "logLines", "logDropped", "logBytes", "workerInstance", "cancelReason", "cancelRequestedAt", collections, "projectId", "scopeReport"
          FROM "Run" WHERE id = ${runId} FOR UPDATE`;
      if (!run || run.workerInstance !== worker.instance) throw notFound("run");
      const cancel = run.cancelRequestedAt ? (run.cancelReason ?? "cancelled") : undefined;
      if (isTerminal(run.status)) {
        // ended already (finished, or ended by the hub): nothing more is recorded, the worker may drop its report
        return { acked: Math.max(run.reportedSeq, events.at(-1)?.seq ?? 0), cancel: cancel ?? "the run has ended" };
      }
      let seq = run.reportedSeq;
      let status: RunStatus = run.status;
      let log: LogTally = { lines: run.logLines, dropped: run.logDropped, bytes: Number(run.logBytes) };
      const collections = new Set(run.collections);
      let scopeReport: ScopeReport | null = run.scopeReport;
      let scopeChanged = false;
      const logs: Prisma.RunLogCreateManyInput[] = [];
      const now = new Date();
      let quota: string | null = null;
      const started = async (at?: Date) => {
        if (status === "starting" && (await markRunning(tx, runId, worker.instance, at))) status = "running";
      };
      // the report's tasks, written together before anything reads them (a run's end closes its open tasks) and at the end
      const tasks = new Map<number, TaskReport>();
      const task = (t: TaskRecord) => {
        quota ??= taskOverQuota(t.number, reported.limits);
        if (!quota) tasks.set(t.number, mergeTaskReport(tasks.get(t.number), taskReport(t, now)));
      };
      const writeTasks = async () => {
        await recordTasks(tx, runId, [...tasks.values()]);
        tasks.clear();
      };
      const collection = (c: string) => {
        if (!storableCollection(c) || collections.has(c)) return;
        quota ??= collectionsOverQuota(collections.size + 1);
        if (!quota) collections.add(c);
      };
      for (const { seq: s, event } of events) {
        if (s <= seq) continue; // applied before: a resent batch
        if (s !== seq + 1) break; // a gap: wait for the missing events
        if (isTerminal(status) || quota) break;
        seq = s;
        switch (event.type) {
          case "run.started":
            await started(date(event.at, now));
            break;
          case "task.started":
          case "task.finished":
            task(event.task);
            await started();
            if (event.type === "task.finished" && event.task.endedAt) ended.push({ key: "taskDuration", status: event.task.status, seconds: secondsBetween(event.task.startedAt, event.task.endedAt) });
            break;
          case "log": {
            const line = cut(event.log.line, lineChars);
            const counted = tallyLine(log, Buffer.byteLength(line));
            log = counted.tally;
            if (counted.keep) logs.push({ runId, seq: log.lines, task: event.log.task, stream: event.log.stream, line, at: date(event.log.at, now) });
            break;
          }
          case "document":
            collection(event.coll);
            break;
          case "progress":
            break;
          case "scope":
            // each report is the whole state (capped by the protocol's schema): the last one stands
            scopeReport = event.scope;
            scopeChanged = true;
            break;
          case "run.finished": {
            for (const t of event.tasks) task(t);
            for (const c of event.collections) collection(c);
            if (quota) break;
            await writeTasks();
            if (log.dropped > 0) {
              log = { ...log, lines: log.lines + 1 };
              logs.push({ runId, seq: log.lines, task: 0, stream: "system", line: droppedLinesNotice(log.dropped), at: now });
            }
            const outcome = { status: event.status, error: errorOf(event.error), exitCode: event.exitCode, startedAt: date(event.startedAt, now), endedAt: date(event.endedAt, now) };
            if (await finish(tx, runId, worker.instance, outcome)) {
              status = event.status;
              const summary = scopeReport ? blockedSummary(scopeReport) : null;
              if (summary) blockedAudit = { projectId: run.projectId, data: summary };
              if (event.startedAt && event.endedAt) ended.push({ key: "runDuration", status: event.status, seconds: secondsBetween(event.startedAt, event.endedAt) });
            }
            break;
          }
        }
      }
      await writeTasks();
      if (logs.length) await tx.runLog.createMany({ data: logs, skipDuplicates: true });
      // what the report added besides the run's state (which only the lifecycle writes)
      await tx.run.update({
        where: { id: runId },
        data: { reportedSeq: seq, logLines: log.lines, logDropped: log.dropped, logBytes: log.bytes, collections: [...collections], ...(scopeChanged && scopeReport ? { scopeReport: scopeReport as unknown as Prisma.InputJsonValue } : {}) },
      });
      if (quota && (await endForQuota(tx, runId, worker.instance, quota))) return { acked: seq, cancel: quota };
      if (seq !== run.reportedSeq) await notify(tx, RUN_CHANNEL, runId);
      return { acked: seq, cancel };
    },
    { timeout: 30_000, maxWait: 10_000 },
  );
  for (const e of ended) observe(e.key, { status: e.status }, e.seconds);
  const blocked = blockedAudit as { projectId: string; data: Prisma.InputJsonValue } | null;
  if (blocked) await audit(null, "run.scope_blocked", runId, blocked.data, { projectId: blocked.projectId });
  return out.cancel ? { acked: out.acked, cancel: out.cancel } : { acked: out.acked };
}

/**
 * Ends a run whose worker reported more than it may hold: failed, QuotaExceeded naming the cap,
 * through the lifecycle (its worker learns it from the answer, its next heartbeat or poll).
 */
export function endForQuota(tx: Tx, runId: string, heldBy: string, message: string): Promise<boolean> {
  return endRun(tx, runId, { type: "QuotaExceeded", message }, { heldBy });
}

/**
 * Records that a run held by `heldBy` stores into `coll` (the results store's side: a worker
 * cannot write into more collections than it reports). A collection past the run's cap ends the
 * run, QuotaExceeded, and is refused (409). The check and the addition are one UPDATE, so stores
 * at once never pass the cap.
 */
export async function noteStoredCollection(runId: string, heldBy: string, coll: string): Promise<void> {
  const cap = RUN_REPORT_LIMITS.collections;
  const added = await db().$executeRaw`
    UPDATE "Run" SET collections = array_append(COALESCE(collections, '{}'), ${coll})
     WHERE id = ${runId} AND "workerInstance" = ${heldBy}
       AND NOT (${coll} = ANY(COALESCE(collections, '{}'))) AND cardinality(COALESCE(collections, '{}')) < ${cap}`;
  if (added) return;
  const row = await db().run.findUnique({ where: { id: runId }, select: { collections: true, workerInstance: true } });
  if (!row || row.workerInstance !== heldBy) throw notFound("run");
  if (row.collections.includes(coll)) return;
  const message = collectionsOverQuota(row.collections.length + 1) ?? `the run may not write to more than ${cap} collections`;
  await db().$transaction((tx) => endForQuota(tx, runId, heldBy, message));
  throw conflict(`${message}; the run was ended (QuotaExceeded)`);
}
