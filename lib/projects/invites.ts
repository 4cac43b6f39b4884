import "server-only";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { getSettings } from "../platform/settings.ts";
import { AppError, forbidden, notFound, validation } from "../errors.ts";
import { newSecretToken, sha256Hex } from "../accounts/secret-token.ts";
import { dropInviteToken, recordInviteToken } from "../accounts/invites.ts";
import type { CreateProjectInviteBody } from "../schemas/projects.ts";
import type { Viewer } from "../types.ts";
import { requireRight } from "./access.ts";
import { addInvitedMember } from "./members.ts";
import { loadProject } from "./projects.ts";
import type { InviteSignUp, ProjectInviteState, ProjectInviteView, ProjectRole } from "./types.ts";

/**
 * Project invites: a membership offered to an e-mail address as a one-time link
 * (`/projects/<slug>/join/<token>`, only the token's sha256 stored), accepted by the signed-in
 * account with that address. Someone without an account may create one from it only where the
 * hub's sign-up mode allows: "open"; or "invite" when an admin sent it (the same token is then
 * also an accounts invite, spent at sign-up). A project owner who is not an admin, in "invite"
 * mode, is told that a new person needs an admin's invite first.
 */

const DAY = 24 * 3600_000;

const inviteSelect = {
  id: true,
  email: true,
  role: true,
  hash: true,
  createdAt: true,
  expiresAt: true,
  usedAt: true,
  projectId: true,
  createdBy: { select: { username: true } },
  usedBy: { select: { username: true } },
} as const;
type InviteRow = {
  id: string;
  email: string;
  role: ProjectRole;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  createdBy: { username: string } | null;
  usedBy: { username: string } | null;
};

export function projectInviteState(row: { usedAt: Date | null; expiresAt: Date }, now: Date): ProjectInviteState {
  if (row.usedAt) return "used";
  return row.expiresAt.getTime() <= now.getTime() ? "expired" : "pending";
}

function view(r: InviteRow, now: Date): ProjectInviteView {
  return {
    id: r.id,
    email: r.email,
    role: r.role,
    state: projectInviteState(r, now),
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    createdBy: r.createdBy?.username ?? null,
    usedBy: r.usedBy?.username ?? null,
  };
}

/** What the link can do for someone without an account, by the hub's sign-up mode and who invites. */
export function inviteSignUp(mode: "open" | "invite" | "closed", inviterIsAdmin: boolean): InviteSignUp {
  if (mode === "open") return "open";
  return mode === "invite" && inviterIsAdmin ? "invite" : "account-needed";
}

export const INVITE_SIGN_UP_NOTES: Record<InviteSignUp, string> = {
  open: "Someone without an account can create one from the link.",
  invite: "Sign-up is by invitation: the link also signs up one new account.",
  "account-needed": "Sign-up on this hub needs an admin's invite: someone without an account must ask an admin for one first.",
};

/** Offers a role in a team project to an e-mail address (owners and admins); the link is shown once. */
export async function createProjectInvite(
  viewer: Viewer,
  slug: string,
  input: CreateProjectInviteBody,
  now = new Date(),
): Promise<{ token: string; path: string; invite: ProjectInviteView; signUp: InviteSignUp }> {
  const project = await loadProject(viewer, slug);
  const { asAdmin } = await requireRight(viewer, project.id, "manage", `project ${slug}`);
  if (project.personal) throw validation("a personal project has one member, its owner: create a project to invite others");
  const signUp = inviteSignUp((await getSettings()).signUpMode, viewer.role === "admin");
  const token = newSecretToken();
  const expiresAt = new Date(now.getTime() + input.days * DAY);
  const row = await db().$transaction(async (tx) => {
    const created = await tx.projectInvite.create({
      data: { projectId: project.id, email: input.email, role: input.role, hash: sha256Hex(token), createdById: viewer.id, expiresAt },
      select: inviteSelect,
    });
    if (signUp === "invite") await recordInviteToken(tx, viewer, token, input.email, `project ${project.slug}: ${input.email}`, expiresAt);
    return created;
  });
  await audit(viewer.id, "project.invite.create", project.slug, { email: input.email, role: input.role, days: input.days, ...(asAdmin ? { asAdmin } : {}) }, { projectId: project.id });
  return { token, path: `/projects/${project.slug}/join/${token}`, invite: view(row, now), signUp };
}

export async function listProjectInvites(viewer: Viewer, slug: string, now = new Date()): Promise<ProjectInviteView[]> {
  const project = await loadProject(viewer, slug);
  await requireRight(viewer, project.id, "manage", `project ${slug}`, "view");
  const rows = await db().projectInvite.findMany({ where: { projectId: project.id }, select: inviteSelect, orderBy: { createdAt: "desc" }, take: 200 });
  return rows.map((r) => view(r, now));
}

/** Withdraws an unused invite (and the sign-up link that came with it). */
export async function revokeProjectInvite(viewer: Viewer, slug: string, id: string): Promise<void> {
  const project = await loadProject(viewer, slug);
  await requireRight(viewer, project.id, "manage", `project ${slug}`);
  await db().$transaction(async (tx) => {
    const row = await tx.projectInvite.findFirst({ where: { id, projectId: project.id }, select: { hash: true, usedAt: true, email: true } });
    if (!row) throw notFound("invite");
    if (row.usedAt) throw new AppError("conflict", "this invite was accepted already; remove the member instead");
    await tx.projectInvite.delete({ where: { id } });
    await dropInviteToken(tx, row);
  });
  await audit(viewer.id, "project.invite.revoke", project.slug, { id }, { projectId: project.id });
}

export const PROJECT_INVITE_REFUSALS: Record<Exclude<ProjectInviteState, "pending"> | "unknown", string> = {
  unknown: "this invite link is not valid (it may have been withdrawn); ask the project's owner for a new one",
  used: "this invite link was used already; ask the project's owner for a new one",
  expired: "this invite link has expired; ask the project's owner for a new one",
};

/** What the join page shows about a link: the project, the role, for whom, and whether a new account may sign up from it. */
export interface ProjectInviteInfo {
  project: { slug: string; name: string };
  role: ProjectRole;
  email: string;
  state: ProjectInviteState;
  signUp: InviteSignUp;
  /** the signed-in viewer's e-mail is the invited one */
  forViewer: boolean | null;
}

async function inviteByToken(slug: string, token: string) {
  const row = typeof token === "string" && token.length <= 200 ? await db().projectInvite.findUnique({ where: { hash: sha256Hex(token) }, include: { project: { select: { slug: true, name: true } } } }) : null;
  // a token names one project: under another slug it is no invite
  return row && row.project.slug === slug ? row : null;
}

export async function projectInviteInfo(viewer: Viewer | null, slug: string, token: string, now = new Date()): Promise<ProjectInviteInfo> {
  const row = await inviteByToken(slug, token);
  if (!row) throw notFound("invite");
  const hubInvite = await db().invite.findUnique({ where: { hash: row.hash }, select: { usedAt: true, expiresAt: true } });
  const mode = (await getSettings()).signUpMode;
  const viaHubInvite = !!hubInvite && !hubInvite.usedAt && hubInvite.expiresAt.getTime() > now.getTime();
  return {
    project: row.project,
    role: row.role,
    email: row.email,
    state: projectInviteState(row, now),
    signUp: mode === "open" ? "open" : mode === "invite" && viaHubInvite ? "invite" : "account-needed",
    forViewer: viewer ? viewer.email === row.email : null,
  };
}

/** Accepts an invite as the signed-in account with the invited e-mail address: the membership is added, the link spent. */
export async function acceptProjectInvite(viewer: Viewer, slug: string, token: string, now = new Date()): Promise<{ slug: string; role: ProjectRole; outcome: "added" | "member already" }> {
  const row = await inviteByToken(slug, token);
  if (!row) throw notFound("invite");
  const state = projectInviteState(row, now);
  if (state !== "pending") throw new AppError(state === "used" ? "conflict" : "gone", PROJECT_INVITE_REFUSALS[state]);
  if (viewer.email !== row.email) throw forbidden(`this invite is for ${row.email}: sign in with that account to accept it`);
  const outcome = await db().$transaction(async (tx) => {
    // spent first, so two accepts of one link cannot both add
    const { count } = await tx.projectInvite.updateMany({ where: { id: row.id, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now, usedById: viewer.id } });
    if (count !== 1) throw new AppError("conflict", PROJECT_INVITE_REFUSALS.used);
    return addInvitedMember(tx, row.projectId, viewer.id, row.role, row.createdById);
  });
  await audit(viewer.id, "project.member.add", row.project.slug, { username: viewer.username, role: row.role, via: "invite", outcome }, { projectId: row.projectId });
  return { slug: row.project.slug, role: row.role, outcome };
}
