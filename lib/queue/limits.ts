import { ENFORCED6_QUEUE, ENFORCED_QUEUE, HOSTNET_QUEUE, RUN_QUEUE, type RunQueue } from "./queue-names.ts";

/** What a claim may take right now. Pure: the arithmetic of the three limits. */
export interface ClaimInput {
  /** free slots the worker reported */
  free: number;
  /** the capacity the worker registered, and the runs its instance holds */
  capacity: number;
  heldByInstance: number;
  /** HubSettings.queue */
  totalRuns: number;
  perUserRuns: number;
  /** active (starting/running) runs in the hub, and per owner */
  activeTotal: number;
  activeByOwner: ReadonlyMap<string, number>;
}

export interface ClaimPlan {
  /** how many more runs this claim may take (0: none) */
  slots: number;
  /** owners at their per-user limit: pg-boss `ignoreGroups` */
  ignoreGroups: string[];
}

export function claimPlan(i: ClaimInput): ClaimPlan {
  const slots = Math.max(0, Math.min(i.free, i.capacity - i.heldByInstance, i.totalRuns - i.activeTotal));
  const ignoreGroups = [...i.activeByOwner].filter(([, n]) => n >= i.perUserRuns).map(([owner]) => owner).sort();
  return { slots, ignoreGroups };
}

/** What a hub worker reported at registration that decides which queues it takes from. */
export interface WorkerQueueLabels {
  hostNetwork?: boolean;
  /** its engine enforces a scope (probed), for IPv4 */
  enforceScope?: boolean;
  /** and for IPv6 */
  enforceScopeIpv6?: boolean;
}

/**
 * The queues a worker takes from, in order: runs only it can take first (host-network runs where
 * the engine allows them, runs requiring scope enforcement where it enforces, those naming IPv6
 * where it enforces IPv6 too), then the common queue.
 */
export function queuesFor(labels: WorkerQueueLabels): RunQueue[] {
  const out: RunQueue[] = [];
  if (labels.hostNetwork) out.push(HOSTNET_QUEUE);
  if (labels.enforceScope && labels.enforceScopeIpv6) out.push(ENFORCED6_QUEUE);
  if (labels.enforceScope) out.push(ENFORCED_QUEUE);
  out.push(RUN_QUEUE);
  return out;
}
