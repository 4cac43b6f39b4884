/**
 * Who may see and change a saved scan (pure), from the viewer's rights in the scan's project
 * (lib/access/project-roles.ts): whoever reads the project sees its scans; operators, owners and
 * admins pause, resume and delete them; only the scan's creator, while they may still run in the
 * project, edits it or starts it by hand, since a scan runs as its creator. For anyone who may
 * not read the project, a scan does not exist.
 */
import type { ProjectRight } from "../access/project-roles.ts";
import type { Viewer } from "../types.ts";

export function canViewScan(rights: readonly ProjectRight[]): boolean {
  return rights.includes("read");
}

/** pause, resume, delete: a scan hammering a target is everyone's business in the project */
export function canManageScan(rights: readonly ProjectRight[]): boolean {
  return rights.includes("run");
}

export function canEditScan(viewer: Viewer | null, scan: { ownerId: string }, rights: readonly ProjectRight[]): boolean {
  return !!viewer && scan.ownerId === viewer.id && rights.includes("run");
}
