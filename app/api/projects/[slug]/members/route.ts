import { route } from "../../../../../lib/api/route.ts";
import { addMember } from "../../../../../lib/projects/members.ts";
import { getProject } from "../../../../../lib/projects/projects.ts";
import { addMemberBodySchema, projectParamsSchema } from "../../../../../lib/schemas/projects.ts";

export const runtime = "nodejs";

/** The project's members with their roles (every member may read them). */
export const GET = route({ access: "user", scope: "read", summary: "list a project's members", params: projectParamsSchema }, async ({ viewer, params }) => (await getProject(viewer, params.slug)).members);

/** Adds a user by name at a role `{username, role}` (owners and admins); 404 for no such user, 409 for a member already. */
export const POST = route(
  { access: "user", scope: "run", summary: "add a member by user name (owners)", params: projectParamsSchema, body: addMemberBodySchema, status: 201 },
  async ({ viewer, params, body }) => addMember(viewer, params.slug, body),
);
