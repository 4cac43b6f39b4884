/**
 * The kinds of worker credential, told apart by their prefix: `lwk_` a hub worker (an admin's),
 * `ldv_` a user's device. Each is the prefix + 43 characters of base64url (32 random bytes); only
 * the sha256 is stored. Pure: no lookup decides anything a prefix can refuse.
 */
export const WORKER_TOKEN_KINDS = { worker: "lwk_", device: "ldv_" } as const;
export type WorkerTokenKind = keyof typeof WORKER_TOKEN_KINDS;

const SHAPE = /^(lwk_|ldv_)[A-Za-z0-9_-]{43}$/;

/** The kind a bearer token is shaped as, or null when it is no worker credential at all. */
export function workerTokenKind(token: string): WorkerTokenKind | null {
  const m = SHAPE.exec(token);
  if (!m) return null;
  return m[1] === WORKER_TOKEN_KINDS.device ? "device" : "worker";
}

/**
 * Whether a stored credential may be used as the kind its token claims: a device token only for
 * a credential that belongs to a user (and a live device), a hub worker token only for one that
 * belongs to nobody. A hash collision across kinds is impossible anyway; this keeps a row
 * created as one kind from ever acting as the other.
 */
export function credentialMatchesKind(kind: WorkerTokenKind, row: { ownerId: string | null; hasDevice: boolean }): boolean {
  return kind === "device" ? row.ownerId !== null && row.hasDevice : row.ownerId === null && !row.hasDevice;
}
