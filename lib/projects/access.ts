import "server-only";
import { db } from "../platform/db.ts";
import { forbidden, notFound } from "../errors.ts";
import { actsAsAdmin, projectRights, RIGHT_REFUSAL, type ProjectCaller, type ProjectRight, type ProjectRole, type RightPurpose } from "../access/project-roles.ts";
import type { Viewer } from "../types.ts";

/**
 * A viewer's access to projects, read from their memberships: every run, result, scan and project
 * query asks here (lib/access/project-roles.ts decides). Someone else's project, and anything in
 * it, reads as not found; a member lacking a right is refused with `forbidden`, since they know
 * the project exists.
 */

/** The viewer's role in a project, null when not a member. */
export async function memberRole(userId: string, projectId: string): Promise<ProjectRole | null> {
  const m = await db().projectMember.findUnique({ where: { projectId_userId: { projectId, userId } }, select: { role: true } });
  return m?.role ?? null;
}

export async function callerIn(viewer: Viewer, projectId: string): Promise<ProjectCaller> {
  return { role: viewer.role, member: await memberRole(viewer.id, projectId), scopes: viewer.token?.scopes };
}

/** What the viewer may do in a project (nothing for anonymous callers). */
export async function rightsIn(viewer: Viewer | null, projectId: string): Promise<ProjectRight[]> {
  return viewer ? projectRights(await callerIn(viewer, projectId)) : [];
}

/**
 * The projects whose runs, results and scans the viewer may read: their memberships (with a scope
 * that reads), or null for every project (an admin).
 */
export async function readableProjectIds(viewer: Viewer): Promise<string[] | null> {
  if (projectRights({ role: viewer.role, member: null, scopes: viewer.token?.scopes }).includes("read")) return null;
  if (!projectRights({ role: "user", member: "viewer", scopes: viewer.token?.scopes }).includes("read")) return [];
  const rows = await db().projectMember.findMany({ where: { userId: viewer.id }, select: { projectId: true } });
  return rows.map((r) => r.projectId);
}

/** A Prisma filter on `projectId` for what the viewer may read (none for an admin). */
export async function readableWhere(viewer: Viewer): Promise<{ projectId?: { in: string[] } }> {
  const ids = await readableProjectIds(viewer);
  return ids === null ? {} : { projectId: { in: ids } };
}

export interface Granted {
  rights: ProjectRight[];
  /** the right comes from the caller being an admin, not from their membership (audited so) */
  asAdmin: boolean;
}

/** The viewer's rights in a project they may read; `what` is not found otherwise (its existence is not their business). */
export async function readAccess(viewer: Viewer, projectId: string, what: string): Promise<{ rights: ProjectRight[]; caller: ProjectCaller }> {
  const caller = await callerIn(viewer, projectId);
  const rights = projectRights(caller);
  if (!rights.includes("read")) throw notFound(what);
  return { rights, caller };
}

/**
 * Checks that the viewer holds `right` in the project: without even `read`, `what` is not found;
 * with `read` but not `right`, forbidden (a member knows the project exists).
 */
export async function requireRight(viewer: Viewer, projectId: string, right: ProjectRight, what: string, purpose: RightPurpose = "change"): Promise<Granted> {
  const { caller } = await readAccess(viewer, projectId, what);
  const rights = projectRights(caller, purpose);
  if (right !== "read" && !rights.includes(right)) throw forbidden(RIGHT_REFUSAL[right]);
  return { rights, asAdmin: actsAsAdmin(caller, right, purpose) };
}
