import { route } from "../../../../../lib/api/route.ts";
import { getProjectScope, setProjectScope } from "../../../../../lib/projects/scope.ts";
import { projectParamsSchema, projectScopeBodySchema } from "../../../../../lib/schemas/projects.ts";
import { projectScopeViewSchema } from "../../../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** The project's scope and its flags (members); null scope: unscoped. */
export const GET = route({ access: "user", scope: "read", summary: "a project's scope: the targets its runs may touch (members)", params: projectParamsSchema, response: projectScopeViewSchema }, async ({ viewer, params }) =>
  getProjectScope(viewer, params.slug),
);

/** Replaces the scope and its flags (owners and admins), audited with before and after; an empty or null scope unscopes the project. */
export const PUT = route(
  { access: "user", scope: "run", summary: "replace a project's scope (owners)", params: projectParamsSchema, body: projectScopeBodySchema, response: projectScopeViewSchema },
  async ({ viewer, params, body }) => setProjectScope(viewer, params.slug, body),
);
