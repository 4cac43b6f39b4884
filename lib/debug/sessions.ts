import "server-only";
import { rightsIn } from "../projects/access.ts";
import { parseRunRef } from "../schemas/runs.ts";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { getSettings } from "../platform/settings.ts";
import { AppError, conflict, notFound, type ErrorCode } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { DEBUG_CHANNEL, notify, QUEUE_CHANNEL, watch } from "../queue/notify.ts";
import type { Viewer } from "../types.ts";
import { DEBUG_END_TEXT, type DebugEndReason, type DebugRefusal } from "../../runner/src/debug/vocabulary.ts";
import { TerminalOutputFilter } from "../../runner/src/debug/terminal-filter.ts";
import { DEBUG_LIMITS } from "../../runner/worker/debug-protocol.ts";
import type { RunPolicy } from "../../runner/src/policy/policy.ts";
import { HELD_RUN_STATUSES, type RunStatus, type TaskStatus } from "../../runner/src/status.ts";
import { debugDecision, sessionEnd, type DebugDecision, type HubDebugRefusal } from "./decision.ts";
import type { DebugAvailability, DebugSessionView, DebugStreamEvent } from "./types.ts";

/**
 * Debug sessions, the hub's side: opened by the run's owner (lib/debug/decision.ts), relayed through
 * PostgreSQL so the browser and the worker may reach different hub processes — numbered frames each
 * way (DebugFrame), woken by NOTIFY levhub_debug — and ended by whoever notices first: the user, the
 * worker, a reader that finds the task ended or the session idle, or the janitor's sweep. Every
 * start, refusal and end is audited. The worker's side of the relay: worker-relay.ts.
 */

/** How often a stream re-reads its session without a NOTIFY (the task's end, the idle timeout). */
const RECHECK_MS = 2000;
/** output frames one read takes */
const READ_FRAMES = 200;

type SessionRow = Prisma.DebugSessionGetPayload<object>;

export function sessionView(s: SessionRow): DebugSessionView {
  return {
    id: s.id,
    runId: s.runId,
    task: s.task,
    state: s.state,
    paused: s.paused,
    cols: s.cols,
    rows: s.rows,
    createdAt: s.createdAt.toISOString(),
    openedAt: s.openedAt?.toISOString() ?? null,
    endedAt: s.endedAt?.toISOString() ?? null,
    endReason: (s.endReason as DebugEndReason | null) ?? null,
  };
}

const REFUSAL_CODES: Record<DebugRefusal | HubDebugRefusal, ErrorCode> = {
  not_owner: "forbidden",
  may_not_run: "forbidden",
  disabled: "forbidden",
  granted: "forbidden",
  secret: "forbidden",
  run_not_running: "conflict",
  task_not_running: "conflict",
  too_many: "conflict",
};

function refusalError(d: Extract<DebugDecision, { ok: false }>): AppError {
  return d.refusal === "not_found" ? notFound("run") : new AppError(REFUSAL_CODES[d.refusal], d.message);
}

/** The run `ref` names (its id, or its number as `12` / `#12`), before any access check. */
async function runFacts(ref: string) {
  const where = parseRunRef(ref);
  if (!where) return null;
  return db().run.findUnique({ where, select: { id: true, ownerId: true, projectId: true, status: true, policy: true, args: true, workerInstance: true } });
}

type RunFacts = NonNullable<Awaited<ReturnType<typeof runFacts>>>;

const decisionRun = (r: RunFacts) => ({ ownerId: r.ownerId, status: r.status as RunStatus, policy: r.policy as RunPolicy | null, args: r.args });

/** Who the viewer is in the run's project, as the decision needs it (membership, role, the token's scopes). */
async function viewerFacts(viewer: Viewer, projectId: string) {
  const rights = await rightsIn(viewer, projectId);
  return { id: viewer.id, seesRun: rights.includes("read"), mayRun: rights.includes("run") };
}

/** Whether the viewer may debug this run's running tasks (the run page's Debug buttons); a run they may not see is 404. */
export async function debugAvailability(viewer: Viewer, ref: string): Promise<DebugAvailability> {
  const run = await runFacts(ref);
  if (!run) throw notFound("run");
  const settings = await getSettings();
  const d = debugDecision({ viewer: await viewerFacts(viewer, run.projectId), run: { ...decisionRun(run), status: "running" }, enabled: settings.debug.enabled });
  if (d.ok) return { allowed: true };
  if (d.refusal === "not_found") throw notFound("run");
  return { allowed: false, refusal: d.refusal as Exclude<typeof d.refusal, "not_found">, message: d.message };
}

/**
 * Opens a debug session into task `task` of a run: refused (and audited) unless the viewer owns the
 * run, debugging is on, the run has no grant and holds no secret, and the task is running; the
 * worker holding the run is told at its next poll or heartbeat.
 */
export async function openDebugSession(viewer: Viewer, ref: string, input: { task: number; cols: number; rows: number }): Promise<DebugSessionView> {
  const settings = await getSettings();
  const named = await runFacts(ref);
  if (!named) throw notFound("run");
  const runId = named.id;
  const who = await viewerFacts(viewer, named.projectId);
  const session = await db().$transaction(async (tx) => {
    // the run's row is locked: its state does not move between the decision and the session's row
    const [run] = await tx.$queryRaw<RunFacts[]>`
      SELECT id, "ownerId", "projectId", status::text AS status, policy, args, "workerInstance" FROM "Run" WHERE id = ${runId} FOR SHARE`;
    if (!run) throw notFound("run");
    const task = await tx.task.findUnique({ where: { runId_number: { runId, number: input.task } }, select: { status: true } });
    const openSessions = await tx.debugSession.count({ where: { runId, task: input.task, state: { not: "ended" } } });
    const d = debugDecision({
      viewer: who,
      run: decisionRun(run),
      task: task ? { status: task.status as TaskStatus } : null,
      enabled: settings.debug.enabled,
      openSessions,
    });
    if (!d.ok) return d;
    const row = await tx.debugSession.create({ data: { runId, task: input.task, userId: viewer.id, workerInstance: run.workerInstance!, cols: input.cols, rows: input.rows } });
    await notify(tx, QUEUE_CHANNEL, "debug");
    return row;
  });
  if ("ok" in session) {
    if (session.refusal !== "not_found") await audit(viewer.id, "debug.refused", runId, { task: input.task, refusal: session.refusal }, { projectId: named.projectId });
    throw refusalError(session);
  }
  await audit(viewer.id, "debug.start", session.id, { run: runId, task: input.task, worker: session.workerInstance }, { projectId: named.projectId });
  return sessionView(session);
}

/**
 * Ends a session once, whoever ends it: the row (state, reason, time), a NOTIFY for its streams,
 * and the audit of its end with what it carried. Whether this call ended it.
 */
export async function endSession(id: string, reason: DebugEndReason): Promise<boolean> {
  const [ended] = await db().$queryRaw<{ userId: string; runId: string; projectId: string; task: number; bytesIn: bigint; bytesOut: bigint; createdAt: Date }[]>`
    UPDATE "DebugSession" s SET state = 'ended', "endedAt" = now(), "endReason" = ${reason}
      FROM "Run" r
     WHERE s.id = ${id} AND s.state <> 'ended' AND r.id = s."runId"
     RETURNING s."userId", s."runId", r."projectId", s.task, s."bytesIn", s."bytesOut", s."createdAt"`;
  if (!ended) return false;
  await db().$queryRawUnsafe("SELECT 1 AS sent FROM pg_notify($1, $2)", DEBUG_CHANNEL, id);
  await audit(ended.userId, "debug.end", id, {
    run: ended.runId,
    task: ended.task,
    reason,
    bytesIn: Number(ended.bytesIn),
    bytesOut: Number(ended.bytesOut),
    durationMs: Date.now() - ended.createdAt.getTime(),
  }, { projectId: ended.projectId });
  return true;
}

/** The viewer's own session (anyone else's, admins' included, reads as missing). */
async function ownSession(viewer: Viewer, id: string): Promise<SessionRow> {
  const s = await db().debugSession.findUnique({ where: { id } });
  if (!s || s.userId !== viewer.id) throw notFound("debug session");
  return s;
}

/** Why a stored session must end now (its task ended, its worker never came, idle), or null. */
async function dueEnd(s: SessionRow, idleMs: number): Promise<DebugEndReason | null> {
  if (s.state === "ended") return null;
  const [run, task] = await Promise.all([
    db().run.findUnique({ where: { id: s.runId }, select: { status: true, workerInstance: true } }),
    db().task.findUnique({ where: { runId_number: { runId: s.runId, number: s.task } }, select: { status: true } }),
  ]);
  if (!run) return "task_ended";
  return sessionEnd({ ...s, run: { status: run.status as RunStatus, workerInstance: run.workerInstance }, task: task ? { status: task.status as TaskStatus } : null }, new Date(), idleMs);
}

/** One of the viewer's sessions. */
export async function debugSession(viewer: Viewer, id: string): Promise<DebugSessionView> {
  return sessionView(await ownSession(viewer, id));
}

/** Ends a session the viewer opened ("closed"); ending an ended one changes nothing. */
export async function closeDebugSession(viewer: Viewer, id: string): Promise<DebugSessionView> {
  await ownSession(viewer, id);
  await endSession(id, "closed");
  return sessionView(await ownSession(viewer, id));
}

export type DebugInputBody = { data: string } | { resize: { cols: number; rows: number } } | { continue: true };

/**
 * What the viewer typed (UTF-8 text, at most DEBUG_LIMITS.inputBytes), a new terminal size, or
 * "continue" for a task paused before its entry: one numbered input frame for the worker. Refused
 * once the session ended (409), and while the worker has not taken DEBUG_LIMITS.pendingInputBytes
 * of earlier input (429: a flood waits for the shell, it does not pile up in the database).
 */
export async function debugInput(viewer: Viewer, id: string, body: DebugInputBody): Promise<{ seq: number }> {
  await ownSession(viewer, id);
  const data = "data" in body ? Buffer.from(body.data, "utf8") : Buffer.alloc(0);
  if (data.length > DEBUG_LIMITS.inputBytes) throw new AppError("too_large", `send at most ${DEBUG_LIMITS.inputBytes} bytes of input at a time`);
  const meta = "data" in body ? { kind: "data" } : "resize" in body ? { kind: "resize", ...body.resize } : { kind: "continue" };
  const seq = await db().$transaction(async (tx) => {
    const [s] = await tx.$queryRaw<{ state: string; inSeq: number }[]>`SELECT state::text AS state, "inSeq" FROM "DebugSession" WHERE id = ${id} FOR UPDATE`;
    if (!s || s.state === "ended") throw conflict("this debug session has ended");
    const [{ pending }] = await tx.$queryRaw<{ pending: bigint | null }[]>`
      SELECT sum(length(data)) AS pending FROM "DebugFrame" WHERE "sessionId" = ${id} AND dir = 'in'`;
    if (Number(pending ?? 0) + data.length > DEBUG_LIMITS.pendingInputBytes) {
      throw new AppError("rate_limited", `the task's shell has not taken the last ${Math.round(Number(pending) / 1024)} KiB typed yet; wait a moment`);
    }
    const next = s.inSeq + 1;
    await tx.debugFrame.create({ data: { sessionId: id, dir: "in", seq: next, meta, data: new Uint8Array(data) } });
    await tx.debugSession.update({
      where: { id },
      data: { inSeq: next, bytesIn: { increment: data.length }, lastActivityAt: new Date(), ...("resize" in body ? body.resize : {}) },
    });
    await notify(tx, DEBUG_CHANNEL, id);
    return next;
  });
  return { seq };
}

/**
 * The session as the viewer's terminal reads it, from the database wherever the worker reports:
 * its state, output after `afterSeq` (or the scrollback kept) as filtered text, then `end`. Ends
 * the session itself when its task ended, its worker never opened it, or it sat idle.
 */
export async function* debugEvents(viewer: Viewer, id: string, signal: AbortSignal, afterSeq?: number): AsyncGenerator<DebugStreamEvent> {
  await ownSession(viewer, id);
  const w = await watch(DEBUG_CHANNEL, (p) => p === id);
  const filter = new TerminalOutputFilter();
  try {
    let last = afterSeq ?? 0;
    let first = afterSeq === undefined;
    let state = "";
    for (;;) {
      const s = await ownSession(viewer, id);
      const frames = await db().debugFrame.findMany({ where: { sessionId: id, dir: "out", seq: { gt: last } }, orderBy: { seq: "asc" }, take: READ_FRAMES });
      if (frames.length && !first && frames[0].seq > last + 1) yield { type: "gap", missed: frames[0].seq - last - 1 };
      first = false;
      for (const f of frames) {
        last = f.seq;
        const text = filter.push(f.data);
        if (text) yield { type: "output", seq: f.seq, text };
      }
      if (frames.length === READ_FRAMES) continue;
      if (s.state === "ended") {
        const reason = (s.endReason as DebugEndReason | null) ?? "closed";
        yield { type: "end", reason, message: DEBUG_END_TEXT[reason] };
        return;
      }
      const now = `${s.state}|${s.paused}`;
      if (now !== state) {
        state = now;
        yield { type: "state", state: s.state, paused: s.paused };
      }
      const due = await dueEnd(s, (await getSettings()).debug.idleTimeoutMs);
      if (due) {
        await endSession(id, due);
        continue;
      }
      await w.next(RECHECK_MS, signal);
      if (signal.aborted) return;
    }
  } finally {
    w.close();
  }
}

/**
 * The janitor's pass over sessions no stream is watching: ends those whose task ended, whose
 * worker never opened them or that sat idle, and deletes the frames of sessions ended a minute ago.
 */
export async function sweepDebugSessions(now = new Date()): Promise<{ ended: number }> {
  const live = await db().debugSession.findMany({ where: { state: { not: "ended" } }, take: 500, orderBy: { lastActivityAt: "asc" } });
  let ended = 0;
  if (live.length) {
    const { idleTimeoutMs } = (await getSettings()).debug;
    for (const s of live) {
      const due = await dueEnd(s, idleTimeoutMs);
      if (due && (await endSession(s.id, due))) ended++;
    }
  }
  await db().$executeRaw`
    DELETE FROM "DebugFrame" f USING "DebugSession" s
     WHERE f."sessionId" = s.id AND s.state = 'ended' AND s."endedAt" < ${new Date(now.getTime() - 60_000)}`;
  return { ended };
}

/** Sessions still open on runs that are held: for tests and the run page. */
export async function liveSessionCount(runId: string): Promise<number> {
  return db().debugSession.count({ where: { runId, state: { not: "ended" }, run: { status: { in: [...HELD_RUN_STATUSES] } } } });
}

const g = globalThis as typeof globalThis & { __levhubDebugSweep?: NodeJS.Timeout };

/** Sweeps debug sessions every few seconds in this process (next to the janitor; once per process). */
export function startDebugSweep(everyMs = 5000): void {
  if (g.__levhubDebugSweep) return;
  g.__levhubDebugSweep = setInterval(() => {
    sweepDebugSessions().catch((err: unknown) => console.error("[levhub] debug sessions:", err instanceof Error ? err.message : err));
  }, everyMs);
  g.__levhubDebugSweep.unref();
}

export function stopDebugSweep(): void {
  if (g.__levhubDebugSweep) clearInterval(g.__levhubDebugSweep);
  g.__levhubDebugSweep = undefined;
}
