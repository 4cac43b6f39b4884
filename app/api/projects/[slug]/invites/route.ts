import { route } from "../../../../../lib/api/route.ts";
import { createProjectInvite, listProjectInvites } from "../../../../../lib/projects/invites.ts";
import { createProjectInviteBodySchema, projectParamsSchema } from "../../../../../lib/schemas/projects.ts";

export const runtime = "nodejs";

/** The project's invites (owners and admins). */
export const GET = route({ access: "user", scope: "read", summary: "list a project's invites (owners)", params: projectParamsSchema }, async ({ viewer, params }) =>
  listProjectInvites(viewer, params.slug),
);

/** Offers a role to an e-mail address `{email, role, days?}`; answers the link (`path`, shown once) and whether a new account may sign up from it. */
export const POST = route(
  { access: "user", scope: "run", summary: "invite an e-mail address to a project (owners)", params: projectParamsSchema, body: createProjectInviteBodySchema, status: 201 },
  async ({ viewer, params, body }) => createProjectInvite(viewer, params.slug, body),
);
