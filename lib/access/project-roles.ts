/**
 * What a project member may do, by role, and what a caller may do in a project: one pure decision
 * (`projectRights`) for every lib function that touches project data. Unit-tested as a full table.
 *
 *   read    see the project, its members, runs, results, comparisons, exports and scans
 *   run     start, cancel and re-run runs; create, change, pause and delete saved scans; triage
 *   manage  the project's details and window, its members and invites (and, later, its secrets)
 *
 * Roles: owner = read + run + manage; operator = read + run; viewer = read. Admins may do
 * everything in every project; when they act where their membership would not allow it, the
 * audit row records `asAdmin: true`.
 *
 * A caller holding an API token has the token's scopes (the `accounts` work: read, run, publish,
 * admin); a browser session has every scope. The effective right is scope ∩ role: `run` and
 * `manage` need the run scope (a read-only token changes nothing); `read` needs the read or the run
 * scope (a token that may start runs in a project sees the project it acts in, though the read
 * routes themselves still want the read scope); an admin's everywhere-rights need the admin scope
 * (without it an admin's token is a member like any other). Looking at what only a right may see
 * (an owner's list of invites) is a read: `purpose: "view"` asks the read scopes for every right.
 */
import type { Role, TokenScope } from "../types.ts";

export type { TokenScope };

export const PROJECT_ROLES = ["owner", "operator", "viewer"] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

export const PROJECT_RIGHTS = ["read", "run", "manage"] as const;
export type ProjectRight = (typeof PROJECT_RIGHTS)[number];

export const ROLE_RIGHTS: Record<ProjectRole, readonly ProjectRight[]> = {
  owner: ["read", "run", "manage"],
  operator: ["read", "run"],
  viewer: ["read"],
};

/** The scopes an API token may carry; a session has all of them. */
export const TOKEN_SCOPES = ["read", "run", "publish", "admin"] as const satisfies readonly TokenScope[];

/** The token scopes each project right accepts (any one of them). */
export const RIGHT_SCOPES: Record<ProjectRight, readonly TokenScope[]> = { read: ["read", "run"], run: ["run"], manage: ["run"] };

/** Whether a right is used to change something or only to look at what it guards. */
export type RightPurpose = "change" | "view";

export interface ProjectCaller {
  /** the hub role of the caller */
  role: Role;
  /** the caller's role in the project, null when not a member */
  member: ProjectRole | null;
  /** the token's scopes; absent for a browser session (every scope) */
  scopes?: readonly TokenScope[] | null;
}

/** What the caller may do in the project: role (or admin) rights that the caller's scopes allow. */
export function projectRights(c: ProjectCaller, purpose: RightPurpose = "change"): ProjectRight[] {
  const scopes: readonly TokenScope[] = c.scopes ?? TOKEN_SCOPES;
  const base = c.role === "admin" && scopes.includes("admin") ? PROJECT_RIGHTS : c.member ? ROLE_RIGHTS[c.member] : [];
  return PROJECT_RIGHTS.filter((r) => base.includes(r) && RIGHT_SCOPES[purpose === "view" ? "read" : r].some((s) => scopes.includes(s)));
}

export function hasRight(c: ProjectCaller, right: ProjectRight, purpose: RightPurpose = "change"): boolean {
  return projectRights(c, purpose).includes(right);
}

/**
 * Whether the caller holds `right` only because they are an admin (their membership alone would
 * not give it): such actions are audited as admin actions.
 */
export function actsAsAdmin(c: ProjectCaller, right: ProjectRight, purpose: RightPurpose = "change"): boolean {
  return hasRight(c, right, purpose) && !(c.member !== null && ROLE_RIGHTS[c.member].includes(right));
}

/** Why a caller who may read a project is refused a right there (403: they know the project exists). */
export const RIGHT_REFUSAL: Record<Exclude<ProjectRight, "read">, string> = {
  run: "viewers of this project read its runs and results but start, cancel and schedule nothing: an owner can make you an operator",
  manage: "only the project's owners change its details, window and members",
};

/** A role that carries at least the rights of `min` (operator+ = operator or owner). */
export function roleAtLeast(role: ProjectRole | null, min: ProjectRole): boolean {
  return role !== null && ROLE_RIGHTS[min].every((r) => ROLE_RIGHTS[role].includes(r));
}

/** A change to a project's members, judged before it is made. */
export type MembershipChange =
  | { kind: "add"; userId: string; role: ProjectRole }
  | { kind: "set-role"; userId: string; role: ProjectRole }
  | { kind: "remove"; userId: string };

/**
 * Why a membership change may not be made, or null. Pure. A personal project keeps exactly one
 * member, its owner; every other project keeps at least one owner (the last one cannot be removed
 * or demoted: make someone else owner first).
 */
export function membershipRefusal(
  project: { personal: boolean },
  members: readonly { userId: string; role: ProjectRole }[],
  change: MembershipChange,
): { code: "validation" | "conflict" | "not_found"; message: string } | null {
  const current = members.find((m) => m.userId === change.userId) ?? null;
  if (project.personal) {
    return { code: "validation", message: "a personal project has one member, its owner: create a project to work with others" };
  }
  if (change.kind === "add") return current ? { code: "conflict", message: "already a member of this project" } : null;
  if (!current) return { code: "not_found", message: "not a member of this project" };
  const owners = members.filter((m) => m.role === "owner").length;
  const losesOwner = current.role === "owner" && (change.kind === "remove" || change.role !== "owner");
  if (losesOwner && owners <= 1) {
    return { code: "conflict", message: "a project keeps at least one owner: make another member owner first" };
  }
  return null;
}

/**
 * Whether a change takes run rights away from the member (removed, or demoted below operator):
 * their saved scans in the project are disabled then, since a scan fires as its creator.
 */
export function losesRunRight(before: ProjectRole, change: MembershipChange): boolean {
  if (change.kind === "add") return false;
  const after = change.kind === "remove" ? null : change.role;
  return ROLE_RIGHTS[before].includes("run") && !(after && ROLE_RIGHTS[after].includes("run"));
}
