/** Who may see and change a saved scan (pure): its owner and admins; for anyone else it does not exist. */
import { isAdmin } from "../access/permissions.ts";
import type { Viewer } from "../types.ts";

export function canViewScan(viewer: Viewer | null, scan: { ownerId: string }): boolean {
  if (!viewer) return false;
  return isAdmin(viewer) || scan.ownerId === viewer.id;
}

/** admins may pause or delete anyone's scan (a scan hammering a target); editing stays the owner's */
export const canManageScan = canViewScan;

export function canEditScan(viewer: Viewer | null, scan: { ownerId: string }): boolean {
  return !!viewer && scan.ownerId === viewer.id;
}
