/** Who may do what. Called before any data is read or changed; pure functions of the viewer and the row. */
import { withinTokenNamespace } from "./scopes.ts";
import type { Viewer } from "../types.ts";

export const isAdmin = (viewer: Viewer | null): boolean => viewer?.role === "admin";

/**
 * Public packages: everyone. Private ones: their namespace's owner and admins, and of those callers
 * with an API token limited to one namespace (lib/access/scopes.ts) only inside that namespace.
 */
export function canViewPackage(viewer: Viewer | null, pkg: { private: boolean; namespace: { ownerId: string | null; name: string } }): boolean {
  if (!pkg.private) return true;
  if (!viewer || !withinTokenNamespace(viewer, pkg.namespace.name)) return false;
  return isAdmin(viewer) || pkg.namespace.ownerId === viewer.id;
}

/**
 * Owners publish into their namespace; admins into any, including the hub's own (ownerless) ones
 * and new ones (`namespace` null: none by that name yet). A namespace-limited token only into its own.
 */
export function canPublishTo(viewer: Viewer | null, name: string, namespace: { ownerId: string | null } | null): boolean {
  if (!viewer || !withinTokenNamespace(viewer, name)) return false;
  if (isAdmin(viewer)) return true;
  return namespace !== null && namespace.ownerId === viewer.id;
}

// Runs, results and scans belong to projects: who may see or change them is a project right
// (lib/access/project-roles.ts), looked up from the membership by lib/projects/access.ts.
