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
