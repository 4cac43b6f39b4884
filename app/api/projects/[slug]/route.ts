import { route } from "../../../../lib/api/route.ts";
import { deleteProject, getProject, updateProject } from "../../../../lib/projects/projects.ts";
import { projectParamsSchema, updateProjectBodySchema } from "../../../../lib/schemas/projects.ts";

export const runtime = "nodejs";

/** A project with its members and the caller's rights; a project the caller is no member of is 404 (admins see all). */
export const GET = route({ access: "user", scope: "read", summary: "a project, its members and the caller's rights", params: projectParamsSchema }, async ({ viewer, params }) =>
  getProject(viewer, params.slug),
);

/** Changes the fields given (owners and admins): name, description, client, windowStart, windowEnd (null: open on that side). */
export const PATCH = route(
  { access: "user", scope: "run", summary: "change a project's details or authorised window (owners)", params: projectParamsSchema, body: updateProjectBodySchema },
  async ({ viewer, params, body }) => updateProject(viewer, params.slug, body),
);

/** Deletes a team project that holds no run and no scan (owners and admins); 409 otherwise. */
export const DELETE = route({ access: "user", scope: "run", summary: "delete an empty team project (owners)", params: projectParamsSchema }, async ({ viewer, params }) => {
  await deleteProject(viewer, params.slug);
  return { deleted: params.slug };
});
