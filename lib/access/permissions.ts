/** Who may do what. Called before any data is read or changed; pure functions of the viewer and the row. */
import type { Viewer } from "../types.ts";

export const isAdmin = (viewer: Viewer | null): boolean => viewer?.role === "admin";

export function canViewPackage(viewer: Viewer | null, pkg: { private: boolean; namespace: { ownerId: string | null } }): boolean {
  if (!pkg.private) return true;
  if (!viewer) return false;
  return isAdmin(viewer) || pkg.namespace.ownerId === viewer.id;
}

/** Owners publish into their namespace; admins into any, including the hub's own (ownerless) ones. */
export function canPublishTo(viewer: Viewer | null, namespace: { ownerId: string | null } | null): boolean {
  if (!viewer) return false;
  if (isAdmin(viewer)) return true;
  return namespace !== null && namespace.ownerId === viewer.id;
}

// Runs, results and scans belong to projects: who may see or change them is a project right
// (lib/access/project-roles.ts), looked up from the membership by lib/projects/access.ts.
