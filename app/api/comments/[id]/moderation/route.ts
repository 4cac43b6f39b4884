import { route } from "../../../../../lib/api/route.ts";
import { moderateComment } from "../../../../../lib/comments/comments.ts";
import { commentParamsSchema, moderationSchema } from "../../../../../lib/schemas/comments.ts";

/** An admin hides, shows again or deletes a comment `{action, reason?}`; audited. Answers the comment as it is now (null once deleted). */
export const POST = route(
  { access: "admin", scope: "admin", summary: "moderate a comment: hide, unhide or delete it", params: commentParamsSchema, body: moderationSchema },
  async ({ viewer, params, body }) => ({ comment: await moderateComment(viewer, params.id, body) }),
);
