/** The janitor's decision, pure: which worker instances are lost, and what becomes of the runs they held. */

/** Missed heartbeats after which an instance is lost. */
export const MISSED_HEARTBEATS = 3;

export interface InstanceFact {
  instance: string;
  state: "online" | "draining" | "lost" | "stopped";
  lastSeenAt: Date;
}

export interface HeldRunFact {
  id: string;
  workerInstance: string | null;
  /** 1 for the first attempt */
  attempt: number;
  /** the function's opt-in retries (ManifestFunction.retries; absent = 0) */
  retries: number;
}

export interface JanitorDecision {
  /** instances to mark lost now */
  lose: string[];
  /** runs to end failed (WorkerLost) */
  fail: string[];
  /** runs to queue again for another attempt */
  requeue: string[];
}

/**
 * `held` are the runs in `starting`/`running`. An online or draining instance not seen for
 * MISSED_HEARTBEATS heartbeats while the hub could hear it (since `listeningSince`: this janitor's
 * process start, or the end of an outage of the database it records heartbeats in) is lost — a
 * hub that was down itself never declares its workers lost for the heartbeats it missed; a run held by an instance that is lost or stopped (or by
 * no known instance) fails, unless its function opted into retries and attempts remain (attempt ≤
 * retries: at most retries + 1 attempts in all).
 */
export function janitorDecision(input: {
  now: Date;
  heartbeatMs: number;
  instances: readonly InstanceFact[];
  held: readonly HeldRunFact[];
  listeningSince?: Date;
}): JanitorDecision {
  const cutoff = input.now.getTime() - MISSED_HEARTBEATS * input.heartbeatMs;
  const listening = input.listeningSince?.getTime() ?? 0;
  const lose = input.instances
    .filter((i) => (i.state === "online" || i.state === "draining") && Math.max(i.lastSeenAt.getTime(), listening) < cutoff)
    .map((i) => i.instance);
  const alive = new Set(input.instances.filter((i) => (i.state === "online" || i.state === "draining") && !lose.includes(i.instance)).map((i) => i.instance));
  const fail: string[] = [];
  const requeue: string[] = [];
  for (const r of input.held) {
    if (r.workerInstance && alive.has(r.workerInstance)) continue;
    if (r.attempt <= Math.max(0, Math.floor(r.retries))) requeue.push(r.id);
    else fail.push(r.id);
  }
  return { lose: lose.sort(), fail: fail.sort(), requeue: requeue.sort() };
}

/** A run queued for a device, as the janitor judges it: when it was queued and how the device is. */
export interface DeviceWaitFact {
  id: string;
  queuedAt: Date;
  device: string;
  /** a registration of the device is live (online or draining) */
  connected: boolean;
  /** its last registration's last heartbeat; null: it never connected */
  lastSeenAt: Date | null;
}

/** "90 min", "24 h", "2 days": how long runs wait for a device, as pages and errors say it. */
export function waitText(minutes: number): string {
  if (minutes < 120 && minutes % 60 !== 0) return `${minutes} min`;
  const hours = minutes / 60;
  if (hours < 48 || !Number.isInteger(hours / 24)) return `${Number.isInteger(hours) ? hours : hours.toFixed(1)} h`;
  return `${hours / 24} days`;
}

/** Why a device run ended unclaimed: which device, how long it waited, and how the device is. */
export function deviceWaitMessage(fact: Pick<DeviceWaitFact, "device" | "connected" | "lastSeenAt">, waitMinutes: number): string {
  const how = fact.connected
    ? "it is connected but did not take it (busy with other runs, or stopping)"
    : fact.lastSeenAt
      ? `it has been offline since ${fact.lastSeenAt.toISOString().replace("T", " ").slice(0, 19)} UTC`
      : "it has never connected";
  return `device ${fact.device} did not take this run within ${waitText(waitMinutes)}: ${how}`;
}

/**
 * The runs queued for a device longer than `waitMinutes` (an admin's setting), each with the
 * message it ends with (DeviceTimeout). Runs of the hub's workers never expire: the hub's own
 * workers are its business. As for heartbeats, a device is judged only on the time the hub could
 * hear it (since `listeningSince`): a hub that was down never expires runs for its own absence.
 */
export function expiredDeviceRuns(input: { now: Date; waitMinutes: number; queued: readonly DeviceWaitFact[]; listeningSince?: Date }): { id: string; message: string }[] {
  const cutoff = input.now.getTime() - input.waitMinutes * 60_000;
  const listening = input.listeningSince?.getTime() ?? 0;
  return input.queued
    .filter((r) => Math.max(r.queuedAt.getTime(), listening) <= cutoff)
    .map((r) => ({ id: r.id, message: deviceWaitMessage(r, input.waitMinutes) }))
    .sort((a, b) => a.id.localeCompare(b.id));
}
