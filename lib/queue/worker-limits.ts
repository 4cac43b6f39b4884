/**
 * What one worker credential may have at once, the one place these figures live. Pure.
 *
 * A device credential belongs to a user (any user may create one), so its figures are fixed and
 * small; a hub worker's credential is an admin's, and how many instances it may run is an admin
 * setting (`HubSettings.queue.hubWorkerInstances`). Past a limit a request is refused with 429
 * `rate_limited` before anything else is done; the worker waits and tries again.
 *
 * Requests in flight and long polls are counted in each hub process's memory (lib/platform/in-flight.ts):
 * with several hub processes behind one address a credential may have that many times as many.
 * Live instances are counted in the database at registration, so that limit holds hub-wide.
 */
import type { WorkerCaller } from "../access/access.ts";

export const WORKER_LIMITS = {
  /** a user's device */
  device: { requestsInFlight: 8, instances: 4 },
  /** a hub worker (its instances: the admin's setting) */
  hub: { requestsInFlight: 64 },
  /** long polls of one instance at once (not counted among the requests in flight): a second one is refused while the first waits */
  pollsPerInstance: 1,
} as const;

/** Requests (long polls aside) one credential may have in flight at once. */
export function requestsInFlightLimit(caller: Pick<WorkerCaller, "device">): number {
  return caller.device ? WORKER_LIMITS.device.requestsInFlight : WORKER_LIMITS.hub.requestsInFlight;
}

/** Live (online or draining) instances one credential may have registered. */
export function instanceLimit(caller: Pick<WorkerCaller, "device">, queue: { hubWorkerInstances: number }): number {
  return caller.device ? WORKER_LIMITS.device.instances : queue.hubWorkerInstances;
}

/** What a credential is called in a refusal: its owner reads it. */
export function credentialNoun(caller: Pick<WorkerCaller, "device">): string {
  return caller.device ? "this device" : "this worker credential";
}
