import "server-only";
import { randomUUID } from "node:crypto";
import type { WorkerCaller } from "../access/access.ts";
import { db } from "../platform/db.ts";
import { AppError, notFound } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { CancelOrder, HeartbeatRequest, HeartbeatResponse, RegisterRequest, RegisterResponse } from "../../runner/worker/protocol.ts";
import { HELD_RUN_STATUSES } from "../../runner/src/status.ts";

/** Heartbeat interval workers are told to keep; three missed ones make an instance lost. */
export function heartbeatMs(): number {
  const n = Number(process.env.LEVHUB_WORKER_HEARTBEAT_MS);
  return Number.isFinite(n) && n >= 100 ? Math.floor(n) : 5000;
}
/** The longest a poll waits for work. */
export const POLL_MS = 25_000;

export type WorkerRow = Prisma.WorkerGetPayload<object>;

/** Registers a worker process: a new row and a new instance id every time (never a hostname or PID). */
export async function registerWorker(caller: WorkerCaller, req: RegisterRequest): Promise<RegisterResponse> {
  const instance = randomUUID();
  const row = await db().worker.create({
    data: {
      name: req.name,
      labels: req.labels as Prisma.InputJsonValue,
      capacity: req.capacity,
      version: req.version,
      engineHost: req.engine.host,
      engineVersion: req.engine.version,
      credentialId: caller.credentialId,
      instance,
    },
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
  return { workerId: row.id, instance, heartbeatMs: heartbeatMs(), pollMs: POLL_MS, lostInstances: lost.map((l) => l.instance), device };
}

/**
 * The live instance a request names, which must belong to the caller's credential (else 404: not
 * the caller's business); one the hub declared lost or stopped answers `gone` (register again).
 * Records that it was seen.
 */
export async function liveInstance(caller: WorkerCaller, instance: string): Promise<WorkerRow> {
  const row = await db().worker.findUnique({ where: { instance } });
  if (!row || row.credentialId !== caller.credentialId) throw notFound("worker instance");
  if (row.state === "lost" || row.state === "stopped") throw new AppError("gone", `this worker instance was declared ${row.state}; register again`);
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

export async function heartbeat(caller: WorkerCaller, req: HeartbeatRequest): Promise<HeartbeatResponse> {
  const w = await liveInstance(caller, req.instance);
  const reported = [...new Set(req.running)];
  const held = reported.length
    ? await db().run.findMany({ where: { id: { in: reported }, workerInstance: w.instance, status: { in: [...HELD_RUN_STATUSES] } }, select: { id: true } })
    : [];
  const still = new Set(held.map((r) => r.id));
  // anything else it runs is not (or no longer) its to run: ended meanwhile, or never given to it
  return { cancel: await cancelOrders(w.instance), ended: reported.filter((id) => !still.has(id)) };
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
    credential: r.credential.name,
    registeredAt: r.registeredAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
  }));
}
