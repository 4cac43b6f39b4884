import { route } from "../../../lib/api/route.ts";
import { createProject, listProjects } from "../../../lib/projects/projects.ts";
import { createProjectBodySchema, listProjectsQuerySchema } from "../../../lib/schemas/projects.ts";

export const runtime = "nodejs";

/** The caller's projects, their personal project first (an admin's: every project unless `?all=false`). */
export const GET = route({ access: "user", scope: "read", summary: "list projects", query: listProjectsQuerySchema }, async ({ viewer, query }) => listProjects(viewer, query));

/** Creates a team project `{slug, name, description?, client?, windowStart?, windowEnd?}`; the caller is its first owner. 409 for a slug taken by a project, user or namespace. */
export const POST = route(
  { access: "user", scope: "run", summary: "create a project (the caller becomes its owner)", body: createProjectBodySchema, status: 201 },
  async ({ viewer, body }) => createProject(viewer, body),
);
