/**
 * Projects for integration tests: a user's personal project, and a team project with members made
 * through lib (so memberships, audit rows and the last-owner rule are the real ones).
 */
import { db } from "../platform/db.ts";
import type { ProjectRole } from "../access/project-roles.ts";
import type { Viewer } from "../types.ts";

export async function personalProjectId(userId: string): Promise<string> {
  return (await db().project.findUniqueOrThrow({ where: { personalOwnerId: userId }, select: { id: true } })).id;
}

/** A team project `slug` owned by `owner`, with `members` added at their roles; returns its id. */
export async function teamProject(owner: Viewer, slug: string, members: [Viewer, ProjectRole][] = []): Promise<string> {
  const { createProject } = await import("../projects/projects.ts");
  const { addMember } = await import("../projects/members.ts");
  const project = await createProject(owner, { slug, name: slug, description: "", client: "" });
  for (const [user, role] of members) await addMember(owner, slug, { username: user.username, role });
  return project.id;
}

/** A team project `slug` of `owner` whose scope allows `allow` and requires enforcement by the network. */
export async function enforcedProject(owner: Viewer, slug: string, name: string, allow: string[]): Promise<void> {
  const { createProject } = await import("../projects/projects.ts");
  const { setProjectScope } = await import("../projects/scope.ts");
  const { projectScopeBodySchema } = await import("../schemas/projects.ts");
  await createProject(owner, { slug, name, description: "", client: "", windowStart: null, windowEnd: null });
  await setProjectScope(owner, slug, projectScopeBodySchema.parse({ scope: { allow }, requireEnforcement: true }));
}
