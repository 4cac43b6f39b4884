import { route } from "../../../../lib/api/route.ts";
import { deleteComment, editComment } from "../../../../lib/comments/comments.ts";
import { commentParamsSchema, commentWriteSchema } from "../../../../lib/schemas/comments.ts";

/** Its author changes a comment's text (not while an admin hides it: 409); rate-limited like a new comment. */
export const PATCH = route(
  { access: "user", scope: "publish", summary: "edit your comment", params: commentParamsSchema, body: commentWriteSchema },
  async ({ viewer, params, body }) => editComment(viewer, params.id, body),
);

/** Its author deletes a comment; admins remove others' through `…/moderation`. */
export const DELETE = route({ access: "user", scope: "publish", summary: "delete your comment", params: commentParamsSchema }, async ({ viewer, params }) => {
  await deleteComment(viewer, params.id);
  return { deleted: params.id };
});
