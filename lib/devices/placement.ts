/**
 * Where a run waits and who may take it (pure; unit-tested). A run sent to a user's device waits
 * in that device's own pg-boss queue, which only the device's instances fetch; a device never
 * fetches the hub's queues. The device owner chose the machine, so there is no host-network split
 * there — but the policy's grants still apply on the device.
 */
import { queuesFor, type WorkerQueueLabels } from "../queue/limits.ts";
import { ENFORCED6_QUEUE, ENFORCED_QUEUE, HOSTNET_QUEUE, RUN_QUEUE } from "../queue/queue-names.ts";

export const DEVICE_QUEUE_PREFIX = "levhub-device-";

/** The pg-boss queue of a device's runs. */
export function deviceQueue(deviceId: string): string {
  return DEVICE_QUEUE_PREFIX + deviceId;
}

type Reach = { network?: string };

/**
 * Whether a run's code may reach beyond its own network: its own grant or a mode's names the host's
 * network or a LAN segment (a grant of the run's own bridge reaches nothing beyond the run). Such
 * runs wait where only workers whose operator allows it look.
 */
export function grantsHostNetwork(policy: Reach & { packages?: Record<string, { modes?: Record<string, Reach> }> }): boolean {
  const far = (g: Reach) => g.network === "host" || g.network === "macvlan";
  return far(policy) || Object.values(policy.packages ?? {}).some((p) => Object.values(p.modes ?? {}).some(far));
}

export interface PlacementInput {
  /** who submits */
  viewerId: string;
  /** the device the run is sent to (looked up by name among the viewer's own), or null for the hub's workers */
  device: { id: string; ownerId: string; revokedAt: Date | string | null } | null;
  hostNetwork: boolean;
  /** Admin → Workers: runs granted host networking must go to a device */
  hostNetworkOnDevicesOnly: boolean;
  /** the run's project requires its scope enforced by the network */
  requireEnforcement?: boolean;
  /** its scope or target arguments name IPv6 (runner/src/scope/check.ts `namesIpv6`) */
  namesIpv6?: boolean;
}

export type Placement = { ok: true; queue: string; deviceId: string | null } | { ok: false; code: "not_found" | "validation"; message: string };

/** The queue a run is sent to, or why it may not be sent (someone else's device is not found; a revoked one is refused). */
export function placeRun(i: PlacementInput): Placement {
  if (i.device) {
    if (i.device.ownerId !== i.viewerId) return { ok: false, code: "not_found", message: "device not found" };
    if (i.device.revokedAt) return { ok: false, code: "validation", message: "this device was revoked; enrol it again to run on it" };
    // a device reports for itself: the hub cannot know it enforces anything
    if (i.requireEnforcement) return { ok: false, code: "validation", message: "this project requires its scope enforced by the network, which a device never counts as doing: run it on the hub's workers" };
    return { ok: true, queue: deviceQueue(i.device.id), deviceId: i.device.id };
  }
  if (i.hostNetwork && i.hostNetworkOnDevicesOnly) {
    return { ok: false, code: "validation", message: "this run is granted host networking, which this hub allows only on your own devices: choose one of your devices" };
  }
  if (i.requireEnforcement) {
    if (i.hostNetwork) return { ok: false, code: "validation", message: "this project requires its scope enforced by the network, and this run is granted the host's network or a LAN segment, where no scope is enforced" };
    return { ok: true, queue: i.namesIpv6 ? ENFORCED6_QUEUE : ENFORCED_QUEUE, deviceId: null };
  }
  return { ok: true, queue: i.hostNetwork ? HOSTNET_QUEUE : RUN_QUEUE, deviceId: null };
}

/**
 * The queues a worker instance fetches, in order: a device's only its own; a hub worker host-network
 * runs first where its engine allows them (they have nowhere else to go), then the common queue.
 */
export function queuesForWorker(device: { id: string } | null | undefined, labels: WorkerQueueLabels): string[] {
  return device ? [deviceQueue(device.id)] : queuesFor(labels);
}

/**
 * What a queued run waits for, in words for its page, when only some workers take its queue; null
 * for the common queue (and a device's: its page says how the device is).
 */
export function queueWaitText(queue: string | null | undefined): string | null {
  if (queue === HOSTNET_QUEUE) return "a worker whose engine allows host-network runs (Admin → Workers)";
  if (queue === ENFORCED_QUEUE) return "a worker whose engine enforces the project's scope by the network (the project requires it)";
  if (queue === ENFORCED6_QUEUE) return "a worker whose engine enforces the project's scope by the network for IPv6 too (the project requires it, and its scope or this run's targets name IPv6)";
  return null;
}

/**
 * Whether a worker may take a run it fetched: a device only its owner's runs sent to it, a hub
 * worker only runs sent to no device. (The queues already keep them apart; this is the check the
 * claim makes on the Run row itself.)
 */
export function mayClaim(device: { id: string; ownerId: string } | null | undefined, run: { ownerId: string; deviceId: string | null }): boolean {
  if (!device) return run.deviceId === null;
  return run.deviceId === device.id && run.ownerId === device.ownerId;
}

/**
 * The hub-wide limit (`queue.totalRuns`) is the hub's engines' budget: device runs neither count
 * against it nor are held back by it. The per-user limit counts every run of the owner.
 */
export function totalLimitFor(device: { id: string } | null | undefined, totalRuns: number): number {
  return device ? Number.MAX_SAFE_INTEGER : totalRuns;
}
