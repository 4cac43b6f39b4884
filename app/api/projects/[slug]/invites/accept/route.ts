import { z } from "zod";
import { route } from "../../../../../../lib/api/route.ts";
import { acceptProjectInvite } from "../../../../../../lib/projects/invites.ts";
import { projectParamsSchema } from "../../../../../../lib/schemas/projects.ts";

export const runtime = "nodejs";

/** Accepts an invite `{token}` as the signed-in account with the invited e-mail address. */
export const POST = route(
  { access: "user", scope: "run", summary: "accept a project invite (the invited account)", params: projectParamsSchema, body: z.object({ token: z.string().min(1).max(200) }) },
  async ({ viewer, params, body }) => acceptProjectInvite(viewer, params.slug, body.token),
);
