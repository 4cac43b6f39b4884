import { route } from "../../../../../../lib/api/route.ts";
import { removeMember, setMemberRole } from "../../../../../../lib/projects/members.ts";
import { memberParamsSchema, setMemberRoleBodySchema } from "../../../../../../lib/schemas/projects.ts";

export const runtime = "nodejs";

/** Changes a member's role `{role}` (owners and admins); never the last owner's. Their scans are disabled when they lose the run right. */
export const PATCH = route(
  { access: "user", scope: "run", summary: "change a member's role (owners)", params: memberParamsSchema, body: setMemberRoleBodySchema },
  async ({ viewer, params, body }) => setMemberRole(viewer, params.slug, params.username, body.role),
);

/** Removes a member (owners and admins; a member may remove themselves); never the last owner. Their scans in the project are disabled. */
export const DELETE = route({ access: "user", scope: "run", summary: "remove a member, or leave (owners; the member)", params: memberParamsSchema }, async ({ viewer, params }) => {
  const out = await removeMember(viewer, params.slug, params.username);
  return { removed: params.username, ...out };
});
