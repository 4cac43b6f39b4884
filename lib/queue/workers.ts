import "server-only";
import { randomUUID } from "node:crypto";
import type { WorkerCaller } from "../access/access.ts";
import { db } from "../platform/db.ts";
import { getSettings } from "../platform/settings.ts";
import { AppError, notFound, validation } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { credentialNoun, instanceLimit, requestsInFlightLimit } from "./worker-limits.ts";
import {
  onHubMachine,
  INSTANCE_HEADER,
  REPLAYED,
  REQUEST_SEQ_HEADER,
  REQUEST_SEQ_WINDOW,
  type CancelOrder,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type RegisterRequest,
  type RegisterResponse,
} from "../../runner/worker/protocol.ts";
import { HELD_RUN_STATUSES } from "../../runner/src/status.ts";
import { hubBootId } from "../platform/machine.ts";
import { debugOrders } from "./debug-orders.ts";

/** Heartbeat interval workers are told to keep; three missed ones make an instance lost. */
export function heartbeatMs(): number {
  const n = Number(process.env.LEVHUB_WORKER_HEARTBEAT_MS);
  return Number.isFinite(n) && n >= 100 ? Math.floor(n) : 5000;
}
/** The longest a poll waits for work. */
export const POLL_MS = 25_000;

export type WorkerRow = Prisma.WorkerGetPayload<object>;

/**
 * Registers a worker process: a new row and a new instance id every time (never a hostname or
 * PID), while the credential has fewer live instances than its limit (worker-limits.ts; 429
 * otherwise: one of them must stop, or be declared lost, first). The count and the new row are one
 * transaction holding the credential's row, so registrations at once never pass the limit.
 */
export async function registerWorker(caller: WorkerCaller, req: RegisterRequest): Promise<RegisterResponse> {
  const instance = randomUUID();
  const hubMachine = onHubMachine(await hubBootId(), req.engine.bootId);
  const limit = instanceLimit(caller, (await getSettings()).queue);
  const row = await db().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM "WorkerCredential" WHERE id = ${caller.credentialId} FOR UPDATE`;
    const live = await tx.worker.count({ where: { credentialId: caller.credentialId, state: { in: ["online", "draining"] } } });
    if (live >= limit) {
      throw new AppError(
        "rate_limited",
        `${credentialNoun(caller)} has ${live} worker processes registered, the most it may have at once; stop one (an instance that stops answering is let go after three heartbeats) and register again`,
      );
    }
    return tx.worker.create({
      data: {
        name: req.name,
        labels: req.labels as Prisma.InputJsonValue,
        capacity: req.capacity,
        version: req.version,
        engineHost: req.engine.host,
        engineVersion: req.engine.version,
        credentialId: caller.credentialId,
        instance,
        hubMachine,
      },
    });
  });
  // containers of gone instances carry their instance label: the worker may remove them. A device
  // learns only its own (a user's machine has no business knowing the hub's instances)
  const lost = await db().worker.findMany({
    where: { state: { in: ["lost", "stopped"] }, lastSeenAt: { gt: new Date(Date.now() - 30 * 86400_000) }, ...(caller.device ? { credentialId: caller.credentialId } : {}) },
    select: { instance: true },
    orderBy: { lastSeenAt: "desc" },
    take: 1000,
  });
  const device = caller.device ? { id: caller.device.id, name: caller.device.name } : null;
  return {
    workerId: row.id,
    instance,
    heartbeatMs: heartbeatMs(),
    pollMs: POLL_MS,
    lostInstances: lost.map((l) => l.instance),
    device,
    limits: { requestsInFlight: requestsInFlightLimit(caller) },
  };
}

/** A body's `instance` must be the one its request was admitted for (INSTANCE_HEADER). */
export function checkBodyInstance(worker: WorkerRow, instance: string): void {
  if (instance !== worker.instance) throw validation(`the body names worker instance ${instance.slice(0, 64)}, '${INSTANCE_HEADER}' another`);
}

/** The instance a request names, which must belong to the caller's credential and be live. */
async function ownLiveInstance(caller: WorkerCaller, instance: string): Promise<WorkerRow> {
  const row = await db().worker.findUnique({ where: { instance } });
  // another credential's instance is not the caller's business: it reads like a missing one
  if (!row || row.credentialId !== caller.credentialId) throw notFound("worker instance");
  if (row.state === "lost" || row.state === "stopped") throw gone(row.state);
  return row;
}

const gone = (state: string) => new AppError("gone", `this worker instance was declared ${state}; register again`);

/**
 * Admits one request of a worker instance, before it does anything: the instance must be the
 * caller's (else 404: not its business) and live (one the hub declared lost or stopped answers
 * `gone`: register again), and the request's sequence number new to it. The number is checked and
 * recorded in the one UPDATE that records the instance as seen: admitted when it is above the
 * highest so far (the window shifts up), or one of the REQUEST_SEQ_WINDOW - 1 below it not yet
 * admitted (concurrent requests overtake each other); anything else is `replayed` (409), a
 * recorded request sent again or one too old to tell.
 */
export async function admitRequest(caller: WorkerCaller, instance: string): Promise<WorkerRow> {
  const n = caller.requestSeq;
  if (!n) {
    // whose instance it is and whether it lives are said first, as for any refusal
    await ownLiveInstance(caller, instance);
    throw validation(`send this request's sequence number in '${REQUEST_SEQ_HEADER}' (a whole number from 1, new for every request)`);
  }
  const seq = BigInt(n);
  // One statement on the path every worker request takes: the instance must be the caller's and
  // live, and the number new, or nothing is updated and the reads below say which it was.
  // The window is the bits of one bigint (bit i: requestSeq - i), so REQUEST_SEQ_WINDOW is at most 64.
  // CASE, not AND/OR: PostgreSQL may evaluate those in any order, and a shift by 64 or more is no shift at all
  const [admitted] = await db().$queryRaw<WorkerRow[]>`
    UPDATE "Worker" SET
      "lastSeenAt" = now(),
      "requestSeq" = GREATEST("requestSeq", ${seq}::bigint),
      "requestSeqWindow" = CASE
        WHEN ${seq}::bigint - "requestSeq" >= ${REQUEST_SEQ_WINDOW} THEN 1::bigint
        WHEN ${seq}::bigint > "requestSeq" THEN ("requestSeqWindow" << (${seq}::bigint - "requestSeq")::int) | 1::bigint
        ELSE "requestSeqWindow" | (1::bigint << ("requestSeq" - ${seq}::bigint)::int)
      END
    WHERE instance = ${instance} AND "credentialId" = ${caller.credentialId} AND state IN ('online', 'draining') AND CASE
      WHEN ${seq}::bigint > "requestSeq" THEN true
      WHEN "requestSeq" - ${seq}::bigint >= ${REQUEST_SEQ_WINDOW} THEN false
      ELSE ("requestSeqWindow" & (1::bigint << ("requestSeq" - ${seq}::bigint)::int)) = 0
    END
    RETURNING id, name, labels, capacity, version, "engineHost", "engineVersion", "credentialId", instance, state::text AS state,
      "hubMachine", "registeredAt", "lastSeenAt", "requestSeq", "requestSeqWindow"`;
  if (admitted) return admitted;
  const row = await ownLiveInstance(caller, instance);
  const now = await db().worker.findUnique({ where: { id: row.id }, select: { state: true, requestSeq: true } });
  if (now && (now.state === "lost" || now.state === "stopped")) throw gone(now.state);
  throw new AppError(
    REPLAYED,
    `request number ${n} of this worker instance was admitted before, or is ${REQUEST_SEQ_WINDOW} or more below its newest (${now?.requestSeq ?? "?"}); nothing was done — send it again as a new request`,
  );
}

/**
 * The instance of a request admitted before is still live (a long poll checks between waits);
 * records that it was seen.
 */
export async function stillLive(caller: WorkerCaller, instance: string): Promise<WorkerRow> {
  const row = await ownLiveInstance(caller, instance);
  await db().worker.updateMany({ where: { id: row.id, state: { in: ["online", "draining"] } }, data: { lastSeenAt: new Date() } });
  return row;
}

/** Cancels the hub wants of runs this instance holds. */
export async function cancelOrders(instance: string): Promise<CancelOrder[]> {
  const rows = await db().run.findMany({
    where: { workerInstance: instance, status: { in: [...HELD_RUN_STATUSES] }, cancelRequestedAt: { not: null } },
    select: { id: true, cancelReason: true },
  });
  return rows.map((r) => ({ runId: r.id, reason: r.cancelReason ?? "cancelled" }));
}

/** `POST /api/worker/heartbeat` of an admitted instance (lib/worker/admission.ts). */
export async function heartbeat(w: WorkerRow, req: HeartbeatRequest): Promise<HeartbeatResponse> {
  checkBodyInstance(w, req.instance);
  const reported = [...new Set(req.running)];
  const held = reported.length
    ? await db().run.findMany({ where: { id: { in: reported }, workerInstance: w.instance, status: { in: [...HELD_RUN_STATUSES] } }, select: { id: true } })
    : [];
  const still = new Set(held.map((r) => r.id));
  // anything else it runs is not (or no longer) its to run: ended meanwhile, or never given to it
  return { cancel: await cancelOrders(w.instance), ended: reported.filter((id) => !still.has(id)), debug: await debugOrders(w.instance) };
}

export interface WorkerView {
  id: string;
  name: string;
  instance: string;
  state: WorkerRow["state"];
  labels: Record<string, unknown>;
  capacity: number;
  running: number;
  version: string;
  engineHost: string;
  engineVersion: string;
  /** its engine runs on the hub's machine: host-network grants are refused there unless the unsafe setting is on */
  hubMachine: boolean;
  credential: string;
  registeredAt: string;
  lastSeenAt: string;
}

/** Workers for Admin → Workers: every online/draining one, and the last 50 others. */
export async function listWorkers(): Promise<WorkerView[]> {
  // users' devices are theirs (Settings → My devices), not the hub's workers
  const hub = { credential: { ownerId: null } };
  const [live, gone] = await Promise.all([
    db().worker.findMany({ where: { ...hub, state: { in: ["online", "draining"] } }, include: { credential: { select: { name: true } } }, orderBy: { registeredAt: "desc" } }),
    db().worker.findMany({ where: { ...hub, state: { in: ["lost", "stopped"] } }, include: { credential: { select: { name: true } } }, orderBy: { lastSeenAt: "desc" }, take: 50 }),
  ]);
  const rows = [...live, ...gone];
  const counts = await db().run.groupBy({ by: ["workerId"], where: { workerId: { in: rows.map((r) => r.id) }, status: { in: [...HELD_RUN_STATUSES] } }, _count: true });
  const running = new Map(counts.map((c) => [c.workerId, c._count]));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    instance: r.instance,
    state: r.state,
    labels: r.labels as Record<string, unknown>,
    capacity: r.capacity,
    running: running.get(r.id) ?? 0,
    version: r.version,
    engineHost: r.engineHost,
    engineVersion: r.engineVersion,
    hubMachine: r.hubMachine,
    credential: r.credential.name,
    registeredAt: r.registeredAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
  }));
}
