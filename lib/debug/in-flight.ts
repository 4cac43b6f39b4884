import type { WorkerCaller } from "../access/access.ts";
import { AppError } from "../errors.ts";

/**
 * A place among a worker credential's requests in flight, held by a debug session's long stream
 * for as long as it is open, and by each output request while it is served: a credential cannot
 * open more sessions' streams than it may have requests under way. Counted in this process's
 * memory (several hub processes each count their own). Pure state, no database: unit-tested.
 *
 * The one interface the debug relay needs from the per-credential limits of worker requests; the
 * hub's general admission of worker requests (lib/worker) takes it over where it exists, so that
 * the same count covers every request of the credential.
 */
export const DEBUG_IN_FLIGHT = { device: 8, hub: 64 } as const;

const g = globalThis as typeof globalThis & { __levhubDebugInFlight?: Map<string, number> };
const counts = () => (g.__levhubDebugInFlight ??= new Map());

/** Takes a place for the caller's credential, or refuses (429) when it has as many as it may. */
export function acquireInFlight(caller: Pick<WorkerCaller, "credentialId" | "device">): () => void {
  const limit = caller.device ? DEBUG_IN_FLIGHT.device : DEBUG_IN_FLIGHT.hub;
  const n = counts().get(caller.credentialId) ?? 0;
  if (n >= limit) {
    throw new AppError("rate_limited", `${caller.device ? "this device" : "this worker credential"} has ${limit} requests under way, the most it may have at once; send this one again when one of them has been answered`);
  }
  counts().set(caller.credentialId, n + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (counts().get(caller.credentialId) ?? 1) - 1;
    if (left > 0) counts().set(caller.credentialId, left);
    else counts().delete(caller.credentialId);
  };
}

/** Requests under way for a credential (tests). */
export function inFlight(credentialId: string): number {
  return counts().get(credentialId) ?? 0;
}
