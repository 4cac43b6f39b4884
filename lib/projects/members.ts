import "server-only";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { AppError } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { losesRunRight, membershipRefusal, type MembershipChange, type ProjectRole } from "../access/project-roles.ts";
import type { Viewer } from "../types.ts";
import { requireRight } from "./access.ts";
import { loadProject } from "./projects.ts";
import type { ProjectMemberView } from "./types.ts";

/**
 * A project's members: added by user name (or through an invite, invites.ts), their role changed,
 * removed. Owners and admins do it; a member may also leave. Each change is judged by
 * `membershipRefusal` (a project keeps an owner; a personal project keeps its one member) with the
 * project's row locked, so two changes never each remove "one of two" owners. A member who loses
 * the run right (removed, or made a viewer) has their saved scans in the project disabled, with
 * the reason on each: a scan fires as its creator. Their API tokens lose the project with the
 * membership (a token's rights are its scopes ∩ the role).
 */

type Tx = Prisma.TransactionClient;

function refused(r: NonNullable<ReturnType<typeof membershipRefusal>>): AppError {
  return new AppError(r.code, r.message);
}

async function userByName(username: string): Promise<{ id: string; username: string; name: string | null }> {
  const user = await db().user.findUnique({ where: { username }, select: { id: true, username: true, name: true } });
  if (!user) throw new AppError("not_found", `no user named ${username}`, { fieldErrors: { username: "no such user" } });
  return user;
}

/**
 * Applies one change inside a transaction holding the project's row lock: the current members are
 * read under it, the change judged, made, and the member's scans disabled when they lose the run
 * right. Returns the scans disabled.
 */
async function changeMembership(projectId: string, personal: boolean, change: MembershipChange, actorId: string, why: string): Promise<{ before: ProjectRole | null; scansDisabled: number }> {
  return db().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM "Project" WHERE "id" = ${projectId} FOR UPDATE`;
    const members = await tx.projectMember.findMany({ where: { projectId }, select: { userId: true, role: true } });
    const refusal = membershipRefusal({ personal }, members, change);
    if (refusal) throw refused(refusal);
    const before = members.find((m) => m.userId === change.userId)?.role ?? null;
    if (change.kind === "add") await tx.projectMember.create({ data: { projectId, userId: change.userId, role: change.role, addedById: actorId } });
    else if (change.kind === "set-role") await tx.projectMember.update({ where: { projectId_userId: { projectId, userId: change.userId } }, data: { role: change.role } });
    else await tx.projectMember.delete({ where: { projectId_userId: { projectId, userId: change.userId } } });
    const scansDisabled = before && losesRunRight(before, change) ? await disableScansOf(tx, projectId, change.userId, why) : 0;
    return { before, scansDisabled };
  });
}

/** The member's enabled scans in the project stop firing, each saying why (shown on the scan). */
async function disableScansOf(tx: Tx, projectId: string, userId: string, why: string): Promise<number> {
  const { count } = await tx.savedScan.updateMany({
    where: { projectId, ownerId: userId, enabled: true },
    data: { enabled: false, nextRunAt: null, lastError: { code: "forbidden", message: `disabled: ${why}`, at: new Date().toISOString() } },
  });
  return count;
}

/** Adds a user (by name) at a role: owners and admins. */
export async function addMember(viewer: Viewer, slug: string, input: { username: string; role: ProjectRole }): Promise<ProjectMemberView> {
  const project = await loadProject(viewer, slug);
  const { asAdmin } = await requireRight(viewer, project.id, "manage", `project ${slug}`);
  const user = await userByName(input.username);
  await changeMembership(project.id, project.personal, { kind: "add", userId: user.id, role: input.role }, viewer.id, "");
  await audit(viewer.id, "project.member.add", project.slug, { username: user.username, role: input.role, ...(asAdmin ? { asAdmin } : {}) }, { projectId: project.id });
  return { username: user.username, name: user.name, role: input.role, addedAt: new Date().toISOString(), addedBy: viewer.username };
}

/** Changes a member's role: owners and admins; never the last owner's away. */
export async function setMemberRole(viewer: Viewer, slug: string, username: string, role: ProjectRole): Promise<{ username: string; role: ProjectRole; scansDisabled: number }> {
  const project = await loadProject(viewer, slug);
  const { asAdmin } = await requireRight(viewer, project.id, "manage", `project ${slug}`);
  const user = await userByName(username);
  const why = `${user.username} was made a ${role} of project ${project.slug} by ${viewer.username}`;
  const { before, scansDisabled } = await changeMembership(project.id, project.personal, { kind: "set-role", userId: user.id, role }, viewer.id, why);
  if (before !== role) {
    await audit(viewer.id, "project.member.role", project.slug, { username: user.username, from: before, to: role, scansDisabled, ...(asAdmin ? { asAdmin } : {}) }, { projectId: project.id });
  }
  return { username: user.username, role, scansDisabled };
}

/** Removes a member: owners and admins, or the member themselves (leaving); never the last owner. */
export async function removeMember(viewer: Viewer, slug: string, username: string): Promise<{ scansDisabled: number }> {
  const project = await loadProject(viewer, slug);
  const leaving = username === viewer.username;
  const { asAdmin } = await requireRight(viewer, project.id, leaving ? "read" : "manage", `project ${slug}`);
  const user = leaving ? { id: viewer.id, username: viewer.username } : await userByName(username);
  const why = leaving ? `${user.username} left project ${project.slug}` : `${user.username} was removed from project ${project.slug} by ${viewer.username}`;
  const { before, scansDisabled } = await changeMembership(project.id, project.personal, { kind: "remove", userId: user.id }, viewer.id, why);
  await audit(viewer.id, leaving ? "project.member.leave" : "project.member.remove", project.slug, { username: user.username, role: before, scansDisabled, ...(asAdmin && !leaving ? { asAdmin } : {}) }, { projectId: project.id });
  return { scansDisabled };
}

/** Adds the membership an accepted invite offered (invites.ts), in the invite's transaction. */
export async function addInvitedMember(tx: Tx, projectId: string, userId: string, role: ProjectRole, invitedBy: string | null): Promise<"added" | "member already"> {
  await tx.$queryRaw`SELECT 1 FROM "Project" WHERE "id" = ${projectId} FOR UPDATE`;
  const existing = await tx.projectMember.findUnique({ where: { projectId_userId: { projectId, userId } }, select: { role: true } });
  if (existing) return "member already";
  await tx.projectMember.create({ data: { projectId, userId, role, addedById: invitedBy } });
  return "added";
}
