import "server-only";
import type { WorkerCaller } from "../access/access.ts";
import { db } from "../platform/db.ts";
import { AppError, notFound } from "../errors.ts";
import { DEBUG_CHANNEL, notify, watch } from "../queue/notify.ts";
import type { WorkerRow } from "../queue/workers.ts";
import { DEBUG_LIMITS, type DebugInput, type DebugOutputRequest, type DebugOutputResponse } from "../../runner/worker/debug-protocol.ts";
import type { DebugEndReason } from "../../runner/src/debug/vocabulary.ts";
import { outputWindow } from "./decision.ts";
import { acquireInFlight } from "./in-flight.ts";
import { endSession } from "./sessions.ts";

/**
 * The worker's side of the debug relay (the sessions it is to open come in its heartbeat and poll
 * answers: lib/queue/debug-orders.ts): one long streaming request per session that carries what the user types (counted
 * among the credential's requests in flight while it is open), and numbered output it posts back.
 * A session is served only to the instance that held its run when it was opened and still holds
 * it: anything else reads as missing (404), so no worker reads or writes another's sessions.
 */

/** How often a stream re-reads without a NOTIFY, and sends a keep-alive line. */
const RECHECK_MS = 2000;
const PING_MS = 15_000;

/**
 * A request about a session, from an instance its route admitted (the caller's, live, the request
 * new: lib/worker/admission.ts): the session must be served by that instance.
 */
async function admitSession(worker: WorkerRow, id: string) {
  const s = await db().debugSession.findUnique({ where: { id }, include: { run: { select: { workerInstance: true } } } });
  // someone else's session, or a run this instance no longer holds: none of its business
  if (!s || s.workerInstance !== worker.instance || s.run.workerInstance !== worker.instance) throw notFound("debug session");
  return s;
}

/**
 * `POST /api/worker/debug/{session}/stream`: input frames after `after` (the worker applied those;
 * they are deleted), then each as it is typed, `ping` every 15 s, and `end` once the session ended.
 * Holds one of the credential's requests in flight until it closes.
 */
export async function* debugInputStream(caller: WorkerCaller, worker: WorkerRow, id: string, after: number, signal: AbortSignal): AsyncGenerator<DebugInput> {
  const release = acquireInFlight(caller);
  try {
    await admitSession(worker, id);
    const w = await watch(DEBUG_CHANNEL, (p) => p === id);
    try {
      await db().debugFrame.deleteMany({ where: { sessionId: id, dir: "in", seq: { lte: after } } });
      let last = after;
      // a first line at once: the worker's answer comes now, not with the first keystroke
      let pinged = 0;
      for (;;) {
        const s = await db().debugSession.findUnique({ where: { id }, select: { state: true, endReason: true } });
        const frames = await db().debugFrame.findMany({ where: { sessionId: id, dir: "in", seq: { gt: last } }, orderBy: { seq: "asc" }, take: 100 });
        for (const f of frames) {
          last = f.seq;
          const meta = f.meta as { kind?: string; cols?: number; rows?: number };
          if (meta.kind === "resize") yield { seq: f.seq, kind: "resize", cols: Number(meta.cols), rows: Number(meta.rows) };
          else if (meta.kind === "continue") yield { seq: f.seq, kind: "continue" };
          else yield { seq: f.seq, kind: "data", data: Buffer.from(f.data).toString("base64") };
        }
        if (frames.length === 100) continue;
        if (!s || s.state === "ended") {
          yield { kind: "end", reason: ((s?.endReason as DebugEndReason | null) ?? "closed") };
          return;
        }
        if (Date.now() - pinged >= PING_MS) {
          pinged = Date.now();
          yield { kind: "ping" };
        }
        await w.next(RECHECK_MS, signal);
        if (signal.aborted) return;
      }
    } finally {
      w.close();
    }
  } finally {
    release();
  }
}

const decoded = (b64: string) => Buffer.from(b64, "base64");

/**
 * `POST /api/worker/debug/{session}/output`: the shell's output as frames numbered from 1, each
 * recorded once and in order (a resent batch changes nothing, a gap stops the batch there), within
 * the frame, rate and session caps (past the session's cap it ends `output_limit`); input up to
 * `acked` is dropped; `opened`, `paused` and `end` say what the worker's side did.
 */
export async function debugOutput(caller: WorkerCaller, worker: WorkerRow, id: string, req: DebugOutputRequest): Promise<DebugOutputResponse> {
  const release = acquireInFlight(caller);
  try {
    await admitSession(worker, id);
    const frames = [...req.frames].sort((a, b) => a.seq - b.seq).map((f) => ({ seq: f.seq, data: decoded(f.data) }));
    for (const f of frames) if (f.data.length > DEBUG_LIMITS.frameBytes) throw new AppError("too_large", `an output frame holds at most ${DEBUG_LIMITS.frameBytes} bytes`);
    const out = await db().$transaction(async (tx) => {
      const [s] = await tx.$queryRaw<{ state: string; outSeq: number; inSeq: number; bytesOut: bigint; outWindowAt: Date; outWindowBytes: number; endReason: string | null }[]>`
        SELECT state::text AS state, "outSeq", "inSeq", "bytesOut", "outWindowAt", "outWindowBytes", "endReason" FROM "DebugSession" WHERE id = ${id} FOR UPDATE`;
      if (s.state === "ended") return { acked: s.outSeq, end: (s.endReason as DebugEndReason | null) ?? "closed", overLimit: false };
      let seq = s.outSeq;
      const fresh: { seq: number; data: Buffer }[] = [];
      for (const f of frames) {
        if (f.seq <= seq) continue; // recorded before: a resent batch
        if (f.seq !== seq + 1) break; // a gap: the worker sends the missing frames again
        seq = f.seq;
        fresh.push(f);
      }
      const bytes = fresh.reduce((n, f) => n + f.data.length, 0);
      const now = new Date();
      const window = outputWindow({ at: s.outWindowAt, bytes: s.outWindowBytes }, now, bytes, DEBUG_LIMITS.outputBytesPerSecond);
      if (!window.ok) throw new AppError("rate_limited", `a debug session carries at most ${DEBUG_LIMITS.outputBytesPerSecond / 1024} KiB of output a second; send again in ${window.retryMs} ms`);
      const total = Number(s.bytesOut) + bytes;
      if (fresh.length) {
        await tx.debugFrame.createMany({ data: fresh.map((f) => ({ sessionId: id, dir: "out" as const, seq: f.seq, data: new Uint8Array(f.data) })), skipDuplicates: true });
        // the scrollback: output older than the last DEBUG_LIMITS.scrollbackBytes goes
        await tx.$executeRaw`
          DELETE FROM "DebugFrame" WHERE "sessionId" = ${id} AND dir = 'out' AND seq <= (
            SELECT seq FROM (SELECT seq, sum(length(data)) OVER (ORDER BY seq DESC) AS tail FROM "DebugFrame" WHERE "sessionId" = ${id} AND dir = 'out') t
             WHERE tail > ${DEBUG_LIMITS.scrollbackBytes} ORDER BY seq DESC LIMIT 1)`;
      }
      // input the worker applied is dropped: the table holds only what is still on its way
      const acked = Math.min(req.acked, s.inSeq);
      await tx.debugFrame.deleteMany({ where: { sessionId: id, dir: "in", seq: { lte: acked } } });
      await tx.debugSession.update({
        where: { id },
        data: {
          outSeq: seq,
          bytesOut: total,
          inAcked: acked,
          outWindowAt: window.at,
          outWindowBytes: window.bytes,
          ...(fresh.length ? { lastActivityAt: now } : {}),
          ...(req.opened && s.state === "pending" ? { state: "open", openedAt: now, lastActivityAt: now } : {}),
          ...(req.paused !== undefined ? { paused: req.paused } : {}),
        },
      });
      if (fresh.length || req.opened || req.paused !== undefined) await notify(tx, DEBUG_CHANNEL, id);
      return { acked: seq, end: undefined, overLimit: total > DEBUG_LIMITS.sessionOutputBytes };
    });
    if (out.end) return { acked: out.acked, end: out.end };
    const reason: DebugEndReason | null = out.overLimit ? "output_limit" : (req.end?.reason ?? null);
    if (reason) {
      await endSession(id, reason);
      return { acked: out.acked, end: reason };
    }
    return { acked: out.acked };
  } finally {
    release();
  }
}
