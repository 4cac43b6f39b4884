/**
 * Who may bind a project secret to a run, decided in one pure function (unit-tested as a table).
 *
 * A team project's secret is used only by runs of that project, started by a member whose role is
 * one the secret names (owners decide: operators and owners, or owners only). A personal project's
 * secret is its owner's own: usable by them in any project they run in, by nobody else. Admins get
 * no exception: using a secret means being able to read it (a package of one's own can print it),
 * so an admin manages a project's secrets (names, new values) but uses one only as a member.
 * Listing a project's secrets (names, never values) needs the read right; creating, changing and
 * deleting them the manage right (lib/access/project-roles.ts).
 */
import type { ProjectRole } from "./project-roles.ts";

/** The roles a secret may name as its users (a viewer starts no run). */
export const SECRET_USER_ROLES = ["owner", "operator"] as const satisfies readonly ProjectRole[];
export type SecretUserRole = (typeof SECRET_USER_ROLES)[number];

export interface SecretFacts {
  name: string;
  /** the secret's project */
  projectId: string;
  /** its project's owner when that is a personal project, else null */
  personalOwnerId: string | null;
  roles: readonly ProjectRole[];
}

export interface SecretUser {
  userId: string;
  /** the project the run goes to */
  runProjectId: string;
  /** the user's role in the secret's project, null when not a member */
  member: ProjectRole | null;
}

/** Why the user may not bind the secret to this run, or null when they may. */
export function secretUseRefusal(secret: SecretFacts, user: SecretUser): string | null {
  if (secret.personalOwnerId !== null) {
    return secret.personalOwnerId === user.userId ? null : `secret ${secret.name} is someone else's own: only they may use it`;
  }
  if (secret.projectId !== user.runProjectId) return `secret ${secret.name} belongs to another project: a project's secrets serve only its own runs`;
  if (user.member === null) return `secret ${secret.name} is used by members of its project only`;
  if (!secret.roles.includes(user.member)) {
    const who = SECRET_USER_ROLES.filter((r) => secret.roles.includes(r)).map((r) => `${r}s`).join(" and ") || "nobody";
    return `secret ${secret.name} may be used by the project's ${who}, not by ${user.member === "operator" ? "an" : "a"} ${user.member}`;
  }
  return null;
}
