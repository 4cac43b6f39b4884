import { z } from "zod";
import { route } from "../../../../../../lib/api/route.ts";
import { revokeProjectInvite } from "../../../../../../lib/projects/invites.ts";
import { projectSlugSchema } from "../../../../../../lib/schemas/projects.ts";

export const runtime = "nodejs";

/** Withdraws an unused invite (owners and admins). */
export const DELETE = route(
  { access: "user", scope: "run", summary: "withdraw a project invite (owners)", params: z.object({ slug: projectSlugSchema, id: z.string().min(1).max(64) }) },
  async ({ viewer, params }) => {
    await revokeProjectInvite(viewer, params.slug, params.id);
    return { revoked: params.id };
  },
);
