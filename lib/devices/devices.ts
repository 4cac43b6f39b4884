import "server-only";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { AppError, notFound, validation } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { getBoss } from "../queue/boss.ts";
import { newWorkerToken } from "../queue/credentials.ts";
import { endRun, ENDINGS } from "../queue/lifecycle/index.ts";
import { deviceNameSchema } from "../schemas/devices.ts";
import type { z } from "zod";
import type { NewSecret, Viewer } from "../types.ts";
import type { deviceViewSchema } from "../schemas/responses.ts";
import { HELD_RUN_STATUSES } from "../../runner/src/status.ts";
import { deviceQueue } from "./placement.ts";

/** What Settings → My devices shows of a device: its last registration's facts and whether an instance is live. */
export type DeviceView = z.infer<typeof deviceViewSchema>;

/** The message a run of a revoked device ends with. */
export const DEVICE_REVOKED = "device revoked";

const g = globalThis as typeof globalThis & { __levhubDeviceQueues?: Set<string> };

/** Creates the device's pg-boss queue when this process has not seen it yet (sending to a missing queue fails). */
export async function ensureDeviceQueue(deviceId: string): Promise<string> {
  const name = deviceQueue(deviceId);
  const known = (g.__levhubDeviceQueues ??= new Set());
  if (known.has(name)) return name;
  const boss = await getBoss();
  if (!(await boss.getQueue(name))) await boss.createQueue(name, { retryLimit: 0, policy: "standard" });
  known.add(name);
  return name;
}

function parseName(name: string): string {
  const parsed = deviceNameSchema.safeParse(name);
  if (!parsed.success) throw validation("invalid device name", { name: parsed.error.issues[0].message });
  return parsed.data;
}

function duplicateName(err: unknown, name: string): never {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
    throw new AppError("conflict", `you already have a device named '${name}'`, { fieldErrors: { name: "already used by another of your devices" } });
  }
  throw err;
}

/**
 * Adds a device for the viewer: a device credential (`ldv_…`, stored hashed) and the device, in one
 * transaction, and its queue. The token is returned once; the agent presents it.
 */
export async function createDevice(viewer: Viewer, rawName: string): Promise<NewSecret<DeviceView>> {
  const name = parseName(rawName);
  const { token, tokenHash, prefix } = newWorkerToken("device");
  const device = await db()
    .$transaction(async (tx) => {
      const cred = await tx.workerCredential.create({ data: { name: `device ${name}`, tokenHash, prefix, createdBy: viewer.id, ownerId: viewer.id } });
      return tx.device.create({ data: { ownerId: viewer.id, name, credentialId: cred.id } });
    })
    .catch((err) => duplicateName(err, name));
  await ensureDeviceQueue(device.id);
  await audit(viewer.id, "device.create", device.id, { name });
  const [view] = await listDevices(viewer, device.id);
  return { token, item: view };
}

type DeviceRow = { id: string; credentialId: string; revokedAt: Date | null };
type Registration = { credentialId: string; state: string; lastSeenAt: Date; version: string; engineHost: string; engineVersion: string; capacity: number };

/** The registrations that say how each device is: a live one (online, else draining), else the last. */
async function registrations(devices: DeviceRow[]): Promise<Map<string, { state: DeviceView["state"]; last: Registration | undefined }>> {
  const workers = devices.length
    ? await db().worker.findMany({ where: { credentialId: { in: devices.map((d) => d.credentialId) } }, orderBy: { lastSeenAt: "desc" }, distinct: ["credentialId", "state"] })
    : [];
  return new Map(
    devices.map((d) => {
      const mine = workers.filter((w) => w.credentialId === d.credentialId);
      const live = mine.find((w) => w.state === "online") ?? mine.find((w) => w.state === "draining");
      const last = live ?? mine[0];
      const state: DeviceView["state"] = d.revokedAt ? "revoked" : live ? (live.state as "online" | "draining") : last ? "offline" : "never connected";
      return [d.id, { state, last }];
    }),
  );
}

/** How a device is now (for a run sent to it: its page says so), whoever owns it; null when it is gone. */
export async function deviceState(deviceId: string): Promise<{ name: string; state: DeviceView["state"]; lastSeenAt: string | null } | null> {
  const d = await db().device.findUnique({ where: { id: deviceId }, select: { id: true, name: true, credentialId: true, revokedAt: true } });
  if (!d) return null;
  const r = (await registrations([d])).get(d.id)!;
  return { name: d.name, state: r.state, lastSeenAt: r.last?.lastSeenAt.toISOString() ?? null };
}

/** The viewer's devices (or one of them), newest first, with their registrations' state. */
export async function listDevices(viewer: Viewer, onlyId?: string): Promise<DeviceView[]> {
  const devices = await db().device.findMany({
    where: { ownerId: viewer.id, ...(onlyId ? { id: onlyId } : {}) },
    include: { credential: { select: { prefix: true } } },
    orderBy: { createdAt: "desc" },
  });
  if (!devices.length) return [];
  const ids = devices.map((d) => d.id);
  const [regs, counts] = await Promise.all([
    registrations(devices),
    db().run.groupBy({ by: ["deviceId"], where: { deviceId: { in: ids }, status: { in: [...HELD_RUN_STATUSES] } }, _count: true }),
  ]);
  const running = new Map(counts.map((c) => [c.deviceId, c._count]));
  return devices.map((d) => {
    const { state, last } = regs.get(d.id)!;
    return {
      id: d.id,
      name: d.name,
      state,
      lastSeenAt: last?.lastSeenAt.toISOString() ?? null,
      version: last?.version ?? null,
      engine: last ? `${last.engineHost} (Docker ${last.engineVersion})` : null,
      capacity: last?.capacity ?? null,
      running: running.get(d.id) ?? 0,
      createdAt: d.createdAt.toISOString(),
      revokedAt: d.revokedAt?.toISOString() ?? null,
      tokenPrefix: d.credential.prefix,
    };
  });
}

async function ownDevice(viewer: Viewer, id: string) {
  const row = await db().device.findUnique({ where: { id } });
  // someone else's device is not the viewer's business: the same answer as none
  if (!row || row.ownerId !== viewer.id) throw notFound("device");
  return row;
}

export async function renameDevice(viewer: Viewer, id: string, rawName: string): Promise<DeviceView> {
  const name = parseName(rawName);
  const row = await ownDevice(viewer, id);
  if (row.name !== name) {
    await db()
      .device.update({ where: { id }, data: { name } })
      .catch((err) => duplicateName(err, name));
    await audit(viewer.id, "device.rename", id, { from: row.name, to: name });
  }
  const [view] = await listDevices(viewer, id);
  return view;
}

/**
 * Revokes a device at once, in one transaction: its credential (the agent's next request is 401),
 * its live instances (lost), and its runs — running or still queued for it — end failed
 * ("device revoked"). Idempotent.
 */
export async function revokeDevice(viewer: Viewer, id: string): Promise<void> {
  const row = await ownDevice(viewer, id);
  if (row.revokedAt) return;
  const now = new Date();
  await db().$transaction(
    async (tx) => {
      await tx.device.update({ where: { id }, data: { revokedAt: now } });
      await tx.workerCredential.update({ where: { id: row.credentialId }, data: { revokedAt: now } });
      await tx.worker.updateMany({ where: { credentialId: row.credentialId, state: { in: ["online", "draining"] } }, data: { state: "lost" } });
      const runs = await tx.run.findMany({ where: { deviceId: id, status: { in: [...ENDINGS.DeviceRevoked.from] } }, select: { id: true }, orderBy: { id: "asc" } });
      for (const r of runs) await endRun(tx, r.id, { type: "DeviceRevoked", message: DEVICE_REVOKED }, { now });
    },
    { timeout: 30_000, maxWait: 10_000 },
  );
  await audit(viewer.id, "device.revoke", id, { name: row.name });
}

/** The viewer's device of that name (for sending a run to it); someone else's is not found. */
export async function deviceByName(viewer: Viewer, name: string) {
  const row = await db().device.findUnique({ where: { ownerId_name: { ownerId: viewer.id, name } } });
  if (!row) throw notFound(`device ${name}`);
  return row;
}
